import { createDataSource, revertLastMigration, runMigrations } from '@bot/database';
import { createTestDatabase, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';

describe('schema migrations on an empty database', () => {
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
    expect(applied.map((migration) => migration.name)).toEqual(['CreateInstallations1764050000000', 'AddAuditEventsAndGrants1764060000000']);
    expect(await tables(dataSource)).toEqual(['audit_events', 'installations', 'oauth_states', 'schema_migrations']);
    expect(await indexes(dataSource)).toEqual(
      expect.arrayContaining(['ux_installations_live_org', 'ux_installations_live_install', 'ux_oauth_states_state']),
    );
    expect(await runMigrations(dataSource)).toEqual([]);

    await revertLastMigration(dataSource);
    expect(await tables(dataSource)).toEqual(['installations', 'oauth_states', 'schema_migrations']);
    await revertLastMigration(dataSource);
    expect(await tables(dataSource)).toEqual(['schema_migrations']);
    expect(await dataSource.query('SELECT * FROM schema_migrations')).toEqual([]);

    expect(await runMigrations(dataSource)).toHaveLength(2);
    expect(await tables(dataSource)).toEqual(['audit_events', 'installations', 'oauth_states', 'schema_migrations']);
  });

  it('several processes starting at once migrate exactly once', async () => {
    await revertLastMigration(dataSources[0]);
    await revertLastMigration(dataSources[0]);
    const starters = await Promise.all([open(), open(), open()]);
    const results = await Promise.all(starters.map((dataSource) => runMigrations(dataSource)));
    expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, 2]);
    expect(await dataSources[0].query('SELECT name FROM schema_migrations ORDER BY id')).toEqual([
      { name: 'CreateInstallations1764050000000' },
      { name: 'AddAuditEventsAndGrants1764060000000' },
    ]);
  });
});
