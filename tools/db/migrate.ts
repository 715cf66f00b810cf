// `npm run db:migrate` applies pending migrations; `npm run db:migrate -- --revert` reverts the newest one.
import { ConfigError, loadAppConfig } from '@bot/config';
import { createDataSource, resolveDatabase, revertLastMigration, runMigrations } from '@bot/database';

async function main(): Promise<void> {
  const config = loadAppConfig('oauth-service');
  const database = await resolveDatabase(config);
  const dataSource = await createDataSource(database.url, config, 1).initialize();
  try {
    if (process.argv.includes('--revert')) {
      await revertLastMigration(dataSource);
      console.log('reverted the newest migration');
    } else {
      const applied = await runMigrations(dataSource);
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'up to date');
    }
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${error.message}`);
  process.exit(1);
});
