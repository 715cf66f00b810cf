import { OAuthServiceHarness, json, startOAuthService } from './support/oauth-service.harness';

describe('install failures: clear 4xx/502, nothing stored', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ UPSTREAM_TIMEOUT_MS: '400', OAUTH_RETURN_TO_ALLOWLIST: 'https://app.example.com/settings' });
  }, 60_000);
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.sql('DELETE FROM installations');
    await h.sql('DELETE FROM audit_events');
  });

  const installationCount = async () => Number((await h.sql<{ n: string }>('SELECT count(*) AS n FROM installations'))[0].n);
  const expectError = async (response: Response, status: number, code: string, message: RegExp) => {
    expect(response.status).toBe(status);
    const body = await json(response);
    expect(body).toEqual({ success: false, error: { code, message: expect.stringMatching(message) } });
  };

  it('a state can be used once: replaying the callback is a 400', async () => {
    const callbackUrl = await h.approve('slack', { fake_team: 'T0REPLAY01' });
    expect((await h.callback(callbackUrl)).status).toBe(200);
    await expectError(await h.callback(callbackUrl), 400, 'invalid_state', /unknown or was already used/);
    expect(await installationCount()).toBe(1);
  });

  it('two callbacks racing with one state: exactly one wins', async () => {
    const callbackUrl = await h.approve('slack', { fake_team: 'T0RACE0001' });
    const statuses = (await Promise.all([h.callback(callbackUrl), h.callback(callbackUrl), h.callback(callbackUrl)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400]);
    expect(await installationCount()).toBe(1);
  });

  it('an expired state is refused', async () => {
    const callbackUrl = await h.approve('slack');
    await h.sql(`UPDATE oauth_states SET expires_at = now() - interval '1 second'`);
    await expectError(await h.callback(callbackUrl), 400, 'invalid_state', /expired/);
    expect(await installationCount()).toBe(0);
  });

  it('a state issued for one platform is refused by another', async () => {
    const slackCallback = new URL(await h.approve('slack'));
    const jiraCallback = `${h.url}/oauth/callback/jira?code=whatever&state=${slackCallback.searchParams.get('state')}`;
    await expectError(await h.callback(jiraCallback), 400, 'invalid_state', /issued for slack, not jira/);
    expect(await installationCount()).toBe(0);
  });

  it('missing or forged state, missing code, unknown platform', async () => {
    await expectError(await h.callback(`${h.url}/oauth/callback/slack?code=abc`), 400, 'invalid_state', /no state/);
    await expectError(await h.callback(`${h.url}/oauth/callback/slack?code=abc&state=forged`), 400, 'invalid_state', /unknown/);
    const state = new URL(await h.approve('jira')).searchParams.get('state');
    await expectError(await h.callback(`${h.url}/oauth/callback/jira?state=${state}`), 400, 'invalid_callback', /has no code/);
    await expectError(await h.callback(`${h.url}/oauth/callback/gitlab?code=a&state=b`), 400, 'unknown_platform', /unknown platform "gitlab"/);
    await expectError(await fetch(`${h.url}/oauth/install/gitlab`, { redirect: 'manual' }), 400, 'unknown_platform', /expected one of github, slack, jira/);
    expect(await installationCount()).toBe(0);
  });

  it.each(['slack', 'jira', 'github'] as const)('%s: the user denies the install → 400 access_denied, state burnt', async (platform) => {
    const callbackUrl = await h.approve(platform, { fake_decision: 'deny' });
    expect(new URL(callbackUrl).searchParams.get('error')).toBe('access_denied');
    await expectError(await h.callback(callbackUrl), 400, 'access_denied', /did not approve the install/);
    const state = new URL(callbackUrl).searchParams.get('state');
    expect(await h.sql('SELECT 1 FROM oauth_states WHERE state = $1', [state])).toEqual([]);
    expect(await installationCount()).toBe(0);
  });

  it.each([
    ['slack', 'POST /api/oauth.v2.access', { status: 500 }, /Slack token exchange failed with HTTP 500/],
    ['slack', 'POST /api/oauth.v2.access', 'timeout', /Slack token exchange timed out after 400 ms/],
    ['slack', 'POST /api/oauth.v2.access', 'malformed', /Slack token exchange answered with malformed JSON/],
    ['jira', 'POST /oauth/token', { status: 503 }, /Atlassian token exchange failed with HTTP 503/],
    ['jira', 'GET /oauth/token/accessible-resources', 'timeout', /accessible-resources lookup timed out/],
    ['github', 'GET /app/installations/:id', { status: 500, body: { message: 'boom' } }, /GitHub installation lookup failed with HTTP 500/],
    ['github', 'POST /app/installations/:id/access_tokens', 'malformed', /GitHub installation token answered with malformed JSON/],
  ] as const)('%s: upstream failure at %s (%j) → 502, nothing stored', async (platform, route, fault, message) => {
    const callbackUrl = await h.approve(platform);
    const fake = platform === 'slack' ? h.sandbox.slack : platform === 'jira' ? h.sandbox.atlassian : h.sandbox.github;
    fake.failNext(route, fault);
    await expectError(await h.callback(callbackUrl), 502, 'upstream_failure', message);
    expect(await installationCount()).toBe(0);
  });

  it('Slack rejecting the code (ok:false) is an upstream failure naming Slack’s error', async () => {
    const callbackUrl = new URL(await h.approve('slack'));
    callbackUrl.searchParams.set('code', 'not-a-code-slack-issued');
    await expectError(await h.callback(callbackUrl.toString()), 502, 'upstream_failure', /Slack token exchange was rejected \(invalid_code\)/);
  });

  it('Jira: a grant with no site is a 400 and stores nothing', async () => {
    await expectError(await h.callback(await h.approve('jira', { fake_sites: '0' })), 400, 'invalid_callback', /granted no Jira site/);
    expect(await installationCount()).toBe(0);
  });

  it('a browser gets a readable failure page', async () => {
    const callbackUrl = await h.approve('slack', { fake_decision: 'deny' });
    const response = await h.callback(callbackUrl, 'text/html');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toMatch(/Installation failed[\s\S]*Slack did not approve the install \(access_denied\)/);
  });

  it('reinstall of the same org updates the row (new token, active again), also after a revoke', async () => {
    const first = await json(h.callback(await h.approve('slack', { fake_team: 'T0REINST01' })));
    const before = (await h.sql('SELECT access_token, updated_at FROM installations WHERE id = $1', [first.installation_id]))[0];
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL WHERE id = $1`, [first.installation_id]);

    const second = await json(h.callback(await h.approve('slack', { fake_team: 'T0REINST01' })));
    expect(second.installation_id).toBe(first.installation_id);
    const after = (await h.sql('SELECT * FROM installations WHERE id = $1', [first.installation_id]))[0];
    expect(after).toMatchObject({ status: 'active', revoked_at: null, status_reason: null });
    expect(after['access_token']).toMatch(/^enc:v1:/);
    expect(after['access_token']).not.toBe(before['access_token']);
    expect(await installationCount()).toBe(1);
    const events = await h.sql<{ event: string }>('SELECT event FROM audit_events WHERE installation_id = $1 ORDER BY id', [first.installation_id]);
    expect(events.map((e) => e.event)).toEqual(['installation.installed', 'installation.reinstalled']);
  });

  it('two callbacks for one org at the same moment (different states) → one row', async () => {
    const callbacks = await Promise.all([1, 2, 3, 4].map(() => h.approve('jira', { fake_site: 'racing' })));
    const responses = await Promise.all(callbacks.map((url) => h.callback(url)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await json(r)).installation_id)));
    expect(ids.size).toBe(1);
    expect(await installationCount()).toBe(1);
  });

  it('GitHub: a callback without our state (install begun on github.com) stores nothing and says so', async () => {
    const installation = h.sandbox.github.install('started-on-github');
    const response = await h.callback(`${h.url}/oauth/callback/github?installation_id=${installation.id}&setup_action=install`);
    expect(response.status).toBe(202);
    expect(await json(response)).toMatchObject({ success: true, pending: true, message: expect.stringMatching(/installation webhook/) });
    const page = await h.callback(`${h.url}/oauth/callback/github?installation_id=${installation.id}&setup_action=install`, 'text/html');
    expect(await page.text()).toContain('recorded from GitHub’s installation webhook');
    expect(h.sandbox.github.callsTo('GET /app/installations/:id').filter((c) => c.path.endsWith(String(installation.id)))).toEqual([]);
    expect(await installationCount()).toBe(0);
  });

  it('return_to: honoured only on the allow-list', async () => {
    const refused = await fetch(`${h.url}/oauth/install/slack?return_to=${encodeURIComponent('https://evil.example.com/settings')}`, { redirect: 'manual' });
    await expectError(refused, 400, 'return_to_not_allowed', /allow-list/);
    const sneaky = await fetch(`${h.url}/oauth/install/slack?return_to=${encodeURIComponent('https://app.example.com/other')}`, { redirect: 'manual' });
    expect(sneaky.status).toBe(400);

    const install = await fetch(`${h.url}/oauth/install/slack?return_to=${encodeURIComponent('https://app.example.com/settings/bots')}`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const approval = await fetch(install.headers.get('location') as string, { redirect: 'manual' });
    const done = await h.callback(approval.headers.get('location') as string);
    expect(done.status).toBe(302);
    const target = new URL(done.headers.get('location') as string);
    expect(`${target.origin}${target.pathname}`).toBe('https://app.example.com/settings/bots');
    expect(target.searchParams.get('platform')).toBe('slack');
    expect(target.searchParams.get('installation_id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('expired states are purged when installs start', async () => {
    await h.approve('slack');
    await h.sql(`UPDATE oauth_states SET expires_at = now() - interval '1 hour'`);
    await fetch(`${h.url}/oauth/install/slack`, { redirect: 'manual' });
    expect(await h.sql(`SELECT 1 FROM oauth_states WHERE expires_at < now()`)).toEqual([]);
  });
});
