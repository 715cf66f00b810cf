import { JIRA_SANDBOX_PROJECT, jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, createTestDatabase, freePort, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, TestDatabase } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { Pool } from 'pg';

/**
 * The sandbox as `npm start` runs it, with each app a real OS process on one database: an install made by following
 * redirects, then events travelling from the platform fakes through api-gateway into the task queue.
 */
describe('webhooks end to end in the sandbox (oauth-service, api-gateway, jira-api, sentry-api as processes)', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let pool: Pool;
  let oauth: AppProcess;
  let gateway: AppProcess;
  let jiraApi: AppProcess;
  let sentryApi: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    const [oauthPort, gatewayPort] = [await freePort(), await freePort()];
    const oauthUrl = `http://127.0.0.1:${oauthPort}`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    sandbox = await startPlatformSandbox({ oauthServiceUrl: oauthUrl, webhookPublicBaseUrl: gatewayUrl });
    const env = {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      BASE_URL: oauthUrl,
      WEBHOOK_PUBLIC_BASE_URL: gatewayUrl,
      JIRA_WEBHOOK_RENEWAL_INTERVAL_MS: '0',
      OAUTH_RATE_LIMIT_PER_MINUTE: '1000',
      ...sandbox.env,
    };
    [oauth, gateway, jiraApi, sentryApi] = await Promise.all([
      startAppProcess('oauth-service', { ...env, PORT: String(oauthPort) }, 90_000),
      startAppProcess('api-gateway', { ...env, PORT: String(gatewayPort) }, 90_000),
      startAppProcess('jira-api', env, 90_000),
      startAppProcess('sentry-api', env, 90_000),
    ]);
    pool = new Pool({ connectionString: database.url, max: 2 });
    // The server may still be closing a connection of the ending pool when the database is dropped (FORCE).
    pool.on('error', () => undefined);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([oauth, gateway, jiraApi, sentryApi].filter(Boolean).map((app) => app.stop()));
    await pool?.end();
    await sandbox?.stop();
    await database?.drop();
  });

  const sql = async <T = Record<string, unknown>>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[];
  /** A script's install: follow every redirect from /oauth/install to the callback's JSON answer. */
  const install = async (platform: string, fakeParams = '') => {
    const first = await fetch(`${oauth.url}/oauth/install/${platform}`, { redirect: 'manual' });
    const provider = `${first.headers.get('location')}${fakeParams}`;
    const answer = await fetch(provider, { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    return (await answer.json()) as { success: boolean; installation_id: string };
  };
  const eventually = async <T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; gateway output: ${gateway.output().slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const task = (where: string, params: unknown[]) =>
    eventually(async () => (await sql(`SELECT * FROM webhook_tasks WHERE ${where} ORDER BY id`, params))[0], `a task where ${where}`);
  const service = (installationId: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId, ...extra });
  const admin = (method: string, path: string) => fetch(`${oauth.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } });

  it('Jira: install registers the site\'s webhooks; an issue created through jira-api arrives signed at the gateway and is queued', async () => {
    const { installation_id } = await install('jira', '&fake_site=e2e-site');
    const site = jiraSite('e2e-site');
    const [webhook] = sandbox.atlassian.webhooksOf(site);
    expect(webhook).toMatchObject({ url: `${gateway.url}/webhooks/jira`, jqlFilter: 'project != null' });
    expect(await sql(`SELECT status, external_ids FROM webhook_registrations WHERE installation_id = $1`, [installation_id])).toEqual([{ status: 'active', external_ids: [webhook.id] }]);

    const created = await fetch(`${jiraApi.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: service(installation_id, { 'content-type': 'application/json' }),
      body: JSON.stringify({ fields: { project: { key: JIRA_SANDBOX_PROJECT.key }, summary: 'Arrives as a task', issuetype: { name: 'Task' } } }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };

    const queued = await task(`platform = 'jira' AND event_type = 'jira:issue_created'`, []);
    expect(queued).toMatchObject({ installation_id, external_org_id: site.id, action: 'issue_created', status: 'pending' });
    expect((queued['payload'] as { issue: { key: string }; matchedWebhookIds: number[] }).issue.key).toBe(key);
    expect((queued['payload'] as { matchedWebhookIds: number[] }).matchedWebhookIds).toEqual([webhook.id]);
    // The task commits before the gateway's answer reaches the fake; wait for the fake to have read it.
    await sandbox.atlassian.settled();
    const delivery = sandbox.atlassian.deliveries.find((item) => item.event === 'jira:issue_created')!;
    expect(delivery).toMatchObject({ delivered: true, outcome: 200 });
    expect(queued['delivery_id']).toBe(delivery.identifier);
  });

  it('Jira admin webhooks: the secret from PUT verifies a signed delivery at the URL it names; after DELETE the same delivery is refused and nothing is stored', async () => {
    const { installation_id } = await install('jira', '&fake_site=e2e-admin-site');
    const secret = (await (await admin('PUT', `/oauth/installations/${installation_id}/webhook-secret`)).json()) as { webhook_secret: string; webhook_url: string };
    expect(secret.webhook_url).toBe(`${gateway.url}/webhooks/jira/${installation_id}`);
    const delivery = (body: string) =>
      fetch(secret.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': signHubSignature(secret.webhook_secret, body) }, body });

    const first = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_updated', issue: { id: '1', key: 'ADM-1', self: 'https://e2e-admin-site.atlassian.net/rest/api/2/issue/1' } });
    const accepted = await delivery(first);
    expect(accepted.status).toBe(200);
    const { task_id } = (await accepted.json()) as { task_id: string };
    expect(await sql(`SELECT installation_id FROM webhook_tasks WHERE id = $1`, [task_id])).toEqual([{ installation_id }]);

    expect((await admin('DELETE', `/oauth/installations/${installation_id}/webhook-secret`)).status).toBe(200);
    const before = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_tasks`))[0].n;
    const second = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'jira:issue_updated', issue: { id: '2', key: 'ADM-2' } });
    expect((await delivery(second)).status).toBe(401);
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_tasks`))[0].n).toBe(before);
  });

  it('Sentry: installed by following redirects; sentry-api pages issues; issue and uninstall webhooks arrive signed; the uninstall revokes', async () => {
    const { installation_id } = await install('sentry', '?fake_org=e2e-org');
    const [row] = await sql<{ external_install_id: string }>(`SELECT external_install_id FROM installations WHERE id = $1`, [installation_id]);
    const uuid = row.external_install_id;
    await task(`platform = 'sentry' AND event_type = 'installation' AND action = 'created' AND external_install_id = $1`, [uuid]);

    const page = await fetch(`${sentryApi.url}/api/0/organizations/e2e-org/issues/?per_page=2`, { headers: service(installation_id) });
    expect(page.status).toBe(200);
    expect(((await page.json()) as unknown[]).length).toBe(2);
    expect(page.headers.get('link')).toContain(`<${sentryApi.url}/api/0/organizations/e2e-org/issues/?per_page=2&cursor=0%3A2%3A0>; rel="next"; results="true"; cursor="0:2:0"`);

    const { issue } = await sandbox.sentry.reportIssue(uuid, 'TypeError: e2e');
    const issueTask = await task(`platform = 'sentry' AND event_type = 'issue' AND external_install_id = $1`, [uuid]);
    expect(issueTask).toMatchObject({ installation_id, action: 'created' });
    expect((issueTask['payload'] as { data: { issue: { id: string } } }).data.issue.id).toBe(issue.id);

    await sandbox.sentry.uninstall(uuid);
    await task(`platform = 'sentry' AND event_type = 'installation' AND action = 'deleted'`, []);
    expect(await sql(`SELECT status, access_token FROM installations WHERE id = $1`, [installation_id])).toEqual([{ status: 'revoked', access_token: null }]);
    const refused = await eventually(async () => {
      const response = await fetch(`${sentryApi.url}/api/0/organizations/e2e-org/issues/`, { headers: service(installation_id) });
      return response.status === 410 ? response : undefined;
    }, 'sentry-api refusing the revoked installation');
    expect(await refused.json()).toMatchObject({ code: 'installation_revoked' });
  });
});
