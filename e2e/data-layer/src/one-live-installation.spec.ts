import { createDataSource } from '@bot/database';
import { buildInstallation, createTestDatabase, TestDatabase, testConfig } from '@bot/testing';
import { DataSource, QueryFailedError } from 'typeorm';
import { InstallationRepository } from '@bot/installations';

describe('one live installation per platform org (schema rule)', () => {
  let database: TestDatabase;
  let processes: { dataSource: DataSource; repository: InstallationRepository }[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testConfig('oauth-service', { DATABASE_URL: database.url });
    // Separate pools stand in for separate processes racing through separate connections.
    processes = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const dataSource = await createDataSource(database.url, config, 2).initialize();
        return { dataSource, repository: new InstallationRepository(dataSource) };
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map(({ dataSource }) => dataSource.destroy()));
    await database.drop();
  });

  const liveCount = async (platform: string, column: string, value: string) =>
    (
      await processes[0].dataSource.query(
        `SELECT count(*)::int AS n FROM installations WHERE platform = $1 AND ${column} = $2 AND status <> 'revoked'`,
        [platform, value],
      )
    )[0].n;

  it('racing inserts for the same org: exactly one wins, the rest get a unique violation', async () => {
    for (let round = 0; round < 10; round++) {
      const org = `race-org-${round}`;
      const results = await Promise.allSettled(
        processes.map(({ repository }) => repository.insert(buildInstallation({ platform: 'slack', externalOrgId: org, externalInstallId: null }))),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(result.reason).toBeInstanceOf(QueryFailedError);
        expect((result.reason as { driverError: { code: string; constraint: string } }).driverError).toMatchObject({
          code: '23505',
          constraint: 'ux_installations_live_org',
        });
      }
      expect(await liveCount('slack', 'external_org_id', org)).toBe(1);
    }
  });

  it('racing inserts for the same external install id: exactly one wins', async () => {
    const results = await Promise.allSettled(
      processes.map(({ repository }) => repository.insert(buildInstallation({ platform: 'github', externalInstallId: '777001' }))),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(await liveCount('github', 'external_install_id', '777001')).toBe(1);
  });

  it('revoked rows do not count: an org can be installed again after a revoke, and platforms are independent', async () => {
    const { repository, dataSource } = processes[0];
    const first = await repository.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-1', externalInstallId: null }));
    await expect(repository.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-1', externalInstallId: null }))).rejects.toThrow(
      QueryFailedError,
    );
    await dataSource.query(`UPDATE installations SET status = 'revoked', revoked_at = now() WHERE id = $1`, [first.id]);
    const second = await repository.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-1', externalInstallId: null }));
    expect(second.id).not.toBe(first.id);
    await repository.insert(buildInstallation({ platform: 'slack', externalOrgId: 'cloud-1', externalInstallId: null }));
    expect((await repository.findLiveByOrg('jira', 'cloud-1'))?.id).toBe(second.id);
    expect((await repository.list({ platform: 'jira', status: 'revoked' })).map((row) => row.id)).toEqual([first.id]);
  });

  it('the schema rejects unknown platforms and statuses, and revoked_at must match the revoked status', async () => {
    const { dataSource } = processes[0];
    const insert = (platform: string, status: string, revokedAt: string | null) =>
      dataSource.query(`INSERT INTO installations (platform, status, external_org_id, revoked_at) VALUES ($1, $2, $3, $4)`, [
        platform,
        status,
        `check-${Math.random()}`,
        revokedAt,
      ]);
    await expect(insert('gitlab', 'active', null)).rejects.toThrow(/ck_installations_platform/);
    await expect(insert('github', 'deleted', null)).rejects.toThrow(/ck_installations_status/);
    await expect(insert('github', 'revoked', null)).rejects.toThrow(/ck_installations_revoked_at/);
    await expect(insert('github', 'active', new Date().toISOString())).rejects.toThrow(/ck_installations_revoked_at/);
  });
});
