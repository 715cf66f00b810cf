import { APP_NAMES, AppName } from '@bot/config';
import { createDataSource } from '@bot/database';
import { Installation, InstallationRepository } from '@bot/installations';
import { jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, buildInstallation, createTestDatabase, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, TestDatabase, testConfig } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two OS processes of every app on one PostgreSQL, as two replicas of each Deployment would run: the guarantees
 * that must hold whichever replica a request lands on, and while one of them dies.
 */
describe('two replicas of every app on one PostgreSQL', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let dataSource: DataSource;
  let installations: InstallationRepository;
  const replicas = {} as Record<AppName, [AppProcess, AppProcess]>;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    dataSource = await createDataSource(database.url, testConfig('jira-api', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey }), 2).initialize();
    installations = new InstallationRepository(dataSource);
    const env = {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      BASE_URL: 'http://127.0.0.1:9',
      // Long enough that a refresh hung on purpose is still holding its lock when its process is killed.
      UPSTREAM_TIMEOUT_MS: '30000',
      // Every api-gateway replica schedules the Jira webhook renewal job; rounds every second so they overlap.
      JIRA_WEBHOOK_RENEWAL_INTERVAL_MS: '1000',
      ...sandbox.env,
    };
    // Two at a time: starting ten TypeScript processes at once only makes each slower on a shared machine.
    for (const app of APP_NAMES) {
      replicas[app] = (await Promise.all([startAppProcess(app, env, 120_000), startAppProcess(app, env, 120_000)])) as [AppProcess, AppProcess];
    }
  }, 600_000);
  afterAll(async () => {
    await Promise.all(Object.values(replicas).flat().map((app) => app.stop()));
    await dataSource?.destroy();
    await sandbox?.stop();
    await database?.drop();
  });

  const call = (app: AppProcess, path: string, installationId: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId, ...(init.headers ?? {}) } });
  const expiredJiraInstallation = async (name: string) => {
    const grant = sandbox.atlassian.grant([jiraSite(name)]);
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
    return { grant, row };
  };

  it('every replica of every app is ready on the one database', async () => {
    for (const app of APP_NAMES) {
      for (const replica of replicas[app]) expect([app, (await fetch(`${replica.url}/health/ready`)).status]).toEqual([app, 200]);
    }
  });

  it('refresh storm: 200 concurrent requests over both jira-api replicas for one expired installation → one refresh at Atlassian', async () => {
    const { grant, row } = await expiredJiraInstallation('replica-storm');
    const before = sandbox.atlassian.callsTo('POST /oauth/token').length;
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => call(replicas['jira-api'][i % 2], '/rest/api/3/myself', row.id)));
    expect(responses.map((response) => response.status).filter((status) => status !== 200)).toEqual([]);
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    expect(sandbox.atlassian.callsTo('POST /oauth/token').length - before).toBe(1);
    const stored = (await installations.findById(row.id)) as Installation;
    expect(stored.refreshToken).toBe(sandbox.atlassian.currentRefreshToken(grant.refreshToken));
  }, 120_000);

  it('revoke on one oauth-service replica → both github-api replicas and both slack-api replicas refuse the very next request', async () => {
    const account = sandbox.github.install('replica-revoke');
    const minted = sandbox.github.mintToken(account.id);
    const github = await installations.insert(
      buildInstallation({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) }),
    );
    const slackToken = sandbox.slack.grantBotToken('T0REPLICA');
    const slack = await installations.insert(buildInstallation({ platform: 'slack', externalOrgId: 'T0REPLICA', externalInstallId: null, accessToken: slackToken.accessToken, tokenExpiresAt: null }));
    const githubPath = `/repos/${account.account.login}/demo`;
    // Both replicas of each API app hold the token in their cache before the revoke.
    for (const replica of replicas['github-api']) expect((await call(replica, githubPath, github.id)).status).toBe(200);
    for (const replica of replicas['slack-api']) expect(await (await call(replica, '/api/auth.test', slack.id, { method: 'POST' })).json()).toMatchObject({ ok: true });

    for (const [row, apiApp] of [[github, 'github-api'], [slack, 'slack-api']] as const) {
      const revoke = await fetch(`${replicas['oauth-service'][1].url}/oauth/installations/${row.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } });
      expect(revoke.status).toBe(200);
      const fake = apiApp === 'github-api' ? sandbox.github : sandbox.slack;
      const upstreamCalls = fake.calls.length;
      for (const replica of replicas[apiApp]) {
        const refused = await call(replica, apiApp === 'github-api' ? githubPath : '/api/auth.test', row.id, { method: apiApp === 'github-api' ? 'GET' : 'POST' });
        // Each app refuses in its platform's own shape: GitHub a 410, Slack a 200 with ok:false (as Slack does).
        expect([apiApp, refused.status, await refused.json()]).toEqual(
          apiApp === 'github-api'
            ? [apiApp, 410, expect.objectContaining({ code: 'installation_revoked' })]
            : [apiApp, 200, expect.objectContaining({ ok: false, error: 'token_revoked', code: 'installation_revoked' })],
        );
      }
      expect(fake.calls.length).toBe(upstreamCalls);
    }
  }, 120_000);

  it('the same webhook delivered to both api-gateway replicas at once (ten copies) → one task', async () => {
    const account = sandbox.github.install('replica-webhooks');
    const row = await installations.insert(buildInstallation({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id) }));
    const deliveryId = randomUUID();
    const body = JSON.stringify({ action: 'opened', installation: { id: account.id }, issue: { number: 7, title: 'from two gateways' }, repository: { full_name: `${account.account.login}/demo` } });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': signHubSignature(sandbox.env['GITHUB_WEBHOOK_SECRET'], body),
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const response = await fetch(`${replicas['api-gateway'][i % 2].url}/webhooks/github`, { method: 'POST', headers, body });
        return { status: response.status, body: (await response.json()) as { duplicate: boolean } };
      }),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((answer) => !answer.body.duplicate)).toHaveLength(1);
    const tasks = (await dataSource.query(`SELECT installation_id FROM webhook_tasks WHERE platform = 'github' AND delivery_id = $1`, [deliveryId])) as { installation_id: string }[];
    expect(tasks).toEqual([{ installation_id: row.id }]);
  }, 60_000);

  it('the scheduled Jira webhook renewal runs on both api-gateway replicas, and its work is done once', async () => {
    // A Jira site installed through one oauth-service replica: the install registers the site's dynamic webhooks.
    const start = await fetch(`${replicas['oauth-service'][0].url}/oauth/install/jira`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') as string);
    authorize.searchParams.set('fake_site', 'replica-renewal');
    const approval = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(approval.headers.get('location') as string);
    const installed = await fetch(`${replicas['oauth-service'][0].url}${callback.pathname}${callback.search}`, { headers: { accept: 'application/json' } });
    expect(installed.status).toBe(200);
    const installationId = ((await installed.json()) as { installation_id: string }).installation_id;
    const [registration] = (await dataSource.query(`SELECT external_ids FROM webhook_registrations WHERE installation_id = $1`, [installationId])) as { external_ids: number[] }[];
    expect(registration.external_ids.length).toBeGreaterThan(0);

    // Due for renewal (expiring in 6 days), and Atlassian slow to answer the refresh, so that while one replica's
    // round is inside the refresh, the other replica's rounds come due; only the advisory lock keeps them out.
    const REFRESH = 'PUT /ex/jira/:cloudId/rest/api/3/webhook/refresh';
    const refreshesOfSite = () => sandbox.atlassian.callsTo(REFRESH).filter((call) => (call.body as { webhookIds?: number[] })?.webhookIds?.some((id) => registration.external_ids.includes(id)));
    sandbox.atlassian.failNext(REFRESH, { delayMs: 3_000 });
    const soon = new Date(Date.now() + 6 * 24 * 3600_000);
    for (const id of registration.external_ids) sandbox.atlassian.setWebhookExpiry(id, soon);
    await dataSource.query(`UPDATE webhook_registrations SET expires_at = $2 WHERE installation_id = $1`, [installationId, soon]);

    const refreshedAudit = () => dataSource.query(`SELECT id FROM audit_events WHERE installation_id = $1 AND event = 'jira.webhook.refreshed'`, [installationId]) as Promise<unknown[]>;
    const deadline = Date.now() + 30_000;
    while ((await refreshedAudit()).length === 0 && Date.now() < deadline) await sleep(200);
    // Several more rounds of both replicas after the renewal: none of them renews again.
    await sleep(3_000);
    expect(refreshesOfSite()).toHaveLength(1);
    expect(await refreshedAudit()).toHaveLength(1);
    const [renewed] = (await dataSource.query(`SELECT expires_at FROM webhook_registrations WHERE installation_id = $1`, [installationId])) as { expires_at: Date }[];
    expect(renewed.expires_at.getTime()).toBeGreaterThan(Date.now() + 20 * 24 * 3600_000);
  }, 90_000);

  it('a github-api replica killed (SIGKILL) → the other keeps serving every request', async () => {
    const account = sandbox.github.install('replica-kill');
    const minted = sandbox.github.mintToken(account.id);
    const row = await installations.insert(
      buildInstallation({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) }),
    );
    const [doomed, survivor] = replicas['github-api'];
    const path = `/repos/${account.account.login}/demo`;
    // A steady stream of calls to the survivor across the kill.
    let stop = false;
    const statuses: number[] = [];
    const stream = (async () => {
      while (!stop) statuses.push((await call(survivor, path, row.id)).status);
    })();
    await sleep(300);
    doomed.child.kill('SIGKILL');
    await doomed.stop();
    await sleep(1_000);
    stop = true;
    await stream;
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await expect(fetch(`${doomed.url}/health`)).rejects.toThrow();
  }, 60_000);

  it('a jira-api replica killed while it holds an installation\'s refresh lock → the other replica refreshes it and answers', async () => {
    const { grant, row } = await expiredJiraInstallation('replica-kill-lock');
    const [doomed, survivor] = replicas['jira-api'];
    const tokenCalls = () => sandbox.atlassian.callsTo('POST /oauth/token').length;
    const before = tokenCalls();
    // Atlassian never answers this one refresh: the doomed replica sits in its lock, inside its transaction.
    sandbox.atlassian.failNext('POST /oauth/token', 'timeout');
    const hung = call(doomed, '/rest/api/3/myself', row.id).catch(() => null);
    const lockHeld = async () => Number(((await dataSource.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`)) as { n: number }[])[0].n) > 0;
    for (let waited = 0; !(await lockHeld()); waited += 100) {
      if (waited > 20_000) throw new Error('the doomed replica never took the refresh lock');
      await sleep(100);
    }
    // The survivor's request for the same installation now waits on that lock.
    const survivorAnswer = call(survivor, '/rest/api/3/myself', row.id);
    await sleep(500);
    expect(tokenCalls() - before).toBe(1);

    doomed.child.kill('SIGKILL');
    const killedAt = Date.now();
    const answer = await survivorAnswer;
    expect(answer.status).toBe(200);
    // PostgreSQL ends the dead replica's session and releases its lock at once; far below UPSTREAM_TIMEOUT_MS.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    await hung;
    expect(tokenCalls() - before).toBe(2);
    const stored = (await installations.findById(row.id)) as Installation;
    expect(stored.status).toBe('active');
    expect(stored.refreshToken).toBe(sandbox.atlassian.currentRefreshToken(grant.refreshToken));
  }, 120_000);

  it('an api-gateway replica killed → the other keeps taking deliveries, each queued once', async () => {
    const account = sandbox.github.install('replica-kill-webhooks');
    await installations.insert(buildInstallation({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id) }));
    const [doomed, survivor] = replicas['api-gateway'];
    doomed.child.kill('SIGKILL');
    await doomed.stop();
    const deliveries = Array.from({ length: 20 }, () => randomUUID());
    for (const deliveryId of deliveries) {
      const body = JSON.stringify({ action: 'opened', installation: { id: account.id }, issue: { number: 1, title: deliveryId } });
      const response = await fetch(`${survivor.url}/webhooks/github`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signHubSignature(sandbox.env['GITHUB_WEBHOOK_SECRET'], body) },
      });
      expect(response.status).toBe(200);
    }
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM webhook_tasks WHERE delivery_id = ANY($1)`, [deliveries])) as { n: number }[];
    expect(n).toBe(20);
  }, 60_000);
});
