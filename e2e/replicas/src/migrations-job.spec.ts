import { SCHEMA_MIGRATIONS } from '@bot/installations';
import { createTestDatabase, newEncryptionKey, runAppProcess, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, TestDatabase } from '@bot/testing';
import { Client } from 'pg';

/** The command of the Kubernetes migrations Job (deploy/k8s/base/migrations-job.yaml): `main.js --migrate-only`. */
describe('an app entry point with --migrate-only', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(() => database.drop());

  const migrateOnly = () =>
    runAppProcess(
      'oauth-service',
      {
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        BASE_URL: 'https://bot.example.com',
        TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
        ADMIN_API_KEY: TEST_ADMIN_API_KEY,
        SERVICE_API_KEY: TEST_SERVICE_API_KEY,
        LOG_LEVEL: 'error',
      },
      60_000,
      ['--migrate-only'],
    );

  it('applies every migration to an empty database and exits 0 without serving; a second run finds nothing to do', async () => {
    const first = await migrateOnly();
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain(`oauth-service: applied ${SCHEMA_MIGRATIONS.map((migration) => migration.name).join(', ')}`);
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY id`);
      expect(rows.map((row) => row.name)).toEqual(SCHEMA_MIGRATIONS.map((migration) => migration.name));
    } finally {
      await pg.end();
    }
    const second = await migrateOnly();
    expect([second.code, second.stdout.trim()]).toEqual([0, 'oauth-service: schema up to date']);
  }, 120_000);
});
