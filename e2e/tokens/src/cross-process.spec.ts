import { createDataSource } from '@bot/database';
import { Installation, InstallationRepository } from '@bot/installations';
import { jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, buildInstallation, createTestDatabase, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';

/** Several real OS processes of the apps on one database: the guarantees that only hold across processes. */
describe('tokens across processes', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let dataSource: DataSource;
  let installations: InstallationRepository;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    const config = testConfig('jira-api', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey });
    dataSource = await createDataSource(database.url, config, 2).initialize();
    installations = new InstallationRepository(dataSource);
  });
  afterAll(async () => {
    await Promise.all(processes.map((app) => app.stop()));
    await dataSource.destroy();
    await sandbox.stop();
    await database.drop();
  });

  const start = async (app: Parameters<typeof startAppProcess>[0], env: Record<string, string> = {}) => {
    const running = await startAppProcess(app, { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey, UPSTREAM_TIMEOUT_MS: '5000', ...sandbox.env, ...env });
    processes.push(running);
    return running;
  };
  const call = (base: string, path: string, installationId: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId } });

  it('refresh storm: 200 concurrent requests on two jira-api processes for one expired installation → one token call, all succeed, the rotated token is stored', async () => {
    const [first, second] = await Promise.all([start('jira-api'), start('jira-api')]);
    const grant = sandbox.atlassian.grant([jiraSite('storm-site')]);
    const row = await installations.insert(
      buildInstallation({
        platform: 'jira',
        externalOrgId: grant.sites[0].id,
        externalInstallId: null,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        tokenExpiresAt: new Date(Date.now() - 60_000),
      }),
    );
    const tokenCallsBefore = sandbox.atlassian.callsTo('POST /oauth/token').length;

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => call(i % 2 ? second.url : first.url, '/rest/api/3/myself', row.id)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await Promise.all(responses.map((response) => response.arrayBuffer()));

    expect(sandbox.atlassian.callsTo('POST /oauth/token').length - tokenCallsBefore).toBe(1);
    const stored = (await installations.findById(row.id)) as Installation;
    expect(stored.refreshToken).toBe(sandbox.atlassian.currentRefreshToken(grant.refreshToken));
    expect(stored.refreshToken).not.toBe(grant.refreshToken);
    expect(stored.accessToken).not.toBe(grant.accessToken);
    const upstreamAuth = new Set(sandbox.atlassian.calls.filter((c) => c.path.endsWith('/rest/api/3/myself')).map((c) => c.headers['authorization']));
    expect(upstreamAuth).toEqual(new Set([`Bearer ${stored.accessToken}`]));
  }, 120_000);

  it('a revoke in oauth-service is refused by the very next request to github-api in another process', async () => {
    const oauth = await start('oauth-service', { BASE_URL: 'http://127.0.0.1:9', OAUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    const github = await start('github-api');
    const account = sandbox.github.install('revoke-across-processes');
    const minted = sandbox.github.mintToken(account.id);
    const row = await installations.insert(
      buildInstallation({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) }),
    );
    const before = await call(github.url, `/repos/${account.account.login}/demo`, row.id);
    expect(before.status).toBe(200);

    const revoke = await fetch(`${oauth.url}/oauth/installations/${row.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } });
    expect(revoke.status).toBe(200);
    const upstreamCalls = sandbox.github.calls.length;
    const after = await call(github.url, `/repos/${account.account.login}/demo`, row.id);
    expect(after.status).toBe(410);
    expect(await after.json()).toMatchObject({ code: 'installation_revoked', message: expect.stringContaining(row.id) });
    expect(sandbox.github.calls.length).toBe(upstreamCalls);
  }, 120_000);
});
