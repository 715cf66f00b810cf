import { createDataSource, revertLastMigration, runMigrations } from '@bot/database';
import { SCHEMA_MIGRATIONS } from '@bot/installations';
import { createTestDatabase, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';

describe('schema migrations on an empty database', () => {
  const names = SCHEMA_MIGRATIONS.map((Migration) => new Migration().name as string);
  const revertAll = async (dataSource: DataSource) => {
    for (let i = 0; i < names.length; i++) await revertLastMigration(dataSource);
  };
  let database: TestDatabase;
  const dataSources: DataSource[] = [];
  const open = async () => {
    const dataSource = await createDataSource(database.url, testConfig('oauth-service')).initialize();
    dataSources.push(dataSource);
    return dataSource;
  };
  const tables = async (dataSource: DataSource) =>
    (
      await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
    ).map((row: { table_name: string }) => row.table_name);
  const indexes = async (dataSource: DataSource) =>
    (await dataSource.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`)).map(
      (row: { indexname: string }) => row.indexname,
    );

  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    await database.drop();
  });

  it('apply, revert and apply again', async () => {
    const dataSource = await open();
    expect(await tables(dataSource)).toEqual([]);

    const applied = await runMigrations(dataSource);
    expect(names.slice(0, 3)).toEqual(['CreateInstallations1764050000000', 'AddAuditEventsAndGrants1764060000000', 'CreateWebhookTasks1764080000000']);
    expect(applied.map((migration) => migration.name)).toEqual(names);
    expect(await tables(dataSource)).toEqual(expect.arrayContaining(['audit_events', 'installations', 'oauth_states', 'schema_migrations', 'webhook_tasks']));
    expect(await indexes(dataSource)).toEqual(
      expect.arrayContaining(['ux_installations_live_org', 'ux_installations_live_install', 'ux_oauth_states_state', 'ux_webhook_tasks_delivery']),
    );
    expect(await runMigrations(dataSource)).toEqual([]);

    await revertAll(dataSource);
    expect(await tables(dataSource)).toEqual(['schema_migrations']);
    expect(await dataSource.query('SELECT * FROM schema_migrations')).toEqual([]);

    expect(await runMigrations(dataSource)).toHaveLength(names.length);
    expect(await tables(dataSource)).toEqual(expect.arrayContaining(['audit_events', 'installations', 'oauth_states', 'webhook_tasks']));
  });

  it('several processes starting at once migrate exactly once', async () => {
    await revertAll(dataSources[0]);
    const starters = await Promise.all([open(), open(), open()]);
    const results = await Promise.all(starters.map((dataSource) => runMigrations(dataSource)));
    expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, names.length]);
    expect(await dataSources[0].query('SELECT name FROM schema_migrations ORDER BY id')).toEqual(names.map((name) => ({ name })));
  });
});
