// `npm run db:re-encrypt`: rewrites every encrypted column of every row under TOKEN_ENCRYPTION_KEY, in batches.
// Run it after moving the old key to TOKEN_ENCRYPTION_PREVIOUS_KEYS; once it reports, the old key can go.
// Safe to interrupt and re-run: rows already under the current key are skipped.
import { ConfigError, loadAppConfig } from '@bot/config';
import { createDataSource, ReEncryptionService, resolveDatabase, tokenCipherFrom } from '@bot/database';

async function main(): Promise<void> {
  const config = loadAppConfig('oauth-service');
  const batchArg = process.argv.find((arg) => arg.startsWith('--batch-size='));
  const batchSize = batchArg ? Number(batchArg.split('=')[1]) : 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size must be a positive integer');
  const database = await resolveDatabase(config);
  const dataSource = await createDataSource(database.url, config, 1).initialize();
  try {
    const report = await new ReEncryptionService(dataSource, tokenCipherFrom(config)).reEncryptAll(batchSize);
    const summary = Object.entries(report.rows).map(([table, rows]) => `${table}: ${rows} rows`).join(', ');
    console.log(`re-encrypted under key id ${report.keyId}: ${summary}`);
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `re-encryption failed: ${error.message}`);
  process.exit(1);
});
