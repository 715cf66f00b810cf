import { TEST_ADMIN_API_KEY } from '@bot/testing';
import { OAuthServiceHarness, json, startOAuthService } from './support/oauth-service.harness';

describe('installations admin API', () => {
  let h: OAuthServiceHarness;
  let ids: { github: string; slack: string; jira: string[] };
  const secrets: string[] = [];

  beforeAll(async () => {
    h = await startOAuthService({}, { slackRotation: true });
    const install = async (platform: 'github' | 'slack' | 'jira', params: Record<string, string> = {}) => json(h.callback(await h.approve(platform, params)));
    ids = {
      github: (await install('github', { fake_account: 'admin-org' })).installation_id,
      slack: (await install('slack', { fake_team: 'T0ADMIN001' })).installation_id,
      jira: (await install('jira', { fake_sites: '2', fake_site: 'admin' })).installation_ids,
    };
    secrets.push(...h.sandbox.github.tokens.keys(), ...h.sandbox.slack.botTokens.keys(), ...h.sandbox.atlassian.accessTokens.keys());
    for (const call of h.sandbox.slack.callsTo('POST /api/oauth.v2.access')) secrets.push((call.body as Record<string, string>)['client_secret']);
  }, 60_000);
  afterAll(() => h.close());

  const noSecretIn = (text: string) => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/enc:v1:|"(accessToken|access_token|refresh_token|refreshToken|private_key|webhook_secret)"|ghs_|xox[a-z]-/);
  };

  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer not-the-admin-key-at-all' }],
    ['the key without the Bearer scheme', { authorization: TEST_ADMIN_API_KEY }],
    ['the key with one character changed', { authorization: `Bearer ${TEST_ADMIN_API_KEY.slice(0, -1)}X` }],
  ])('401 with %s, on every route', async (_, headers: Record<string, string>) => {
    for (const [method, path] of [
      ['GET', '/oauth/installations'],
      ['GET', `/oauth/installations/${ids.slack}`],
      ['DELETE', `/oauth/installations/${ids.slack}`],
    ]) {
      const response = await fetch(`${h.url}${path}`, { method, headers });
      expect(response.status).toBe(401);
      expect((await json(response)).message).toMatch(/admin API key is required/);
    }
    expect((await h.sql(`SELECT status FROM installations WHERE id = $1`, [ids.slack]))[0]).toEqual({ status: 'active' });
  });

  it('lists installations with filters, and never a token or secret', async () => {
    const all = await h.admin('GET', '/oauth/installations');
    expect(all.status).toBe(200);
    const text = await all.text();
    noSecretIn(text);
    const { installations } = JSON.parse(text);
    expect(installations).toHaveLength(4);
    expect(installations[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), platform: expect.any(String), status: 'active', has_refresh_token: expect.any(Boolean), created_at: expect.any(String) }),
    );

    const jira = await json(h.admin('GET', '/oauth/installations?platform=jira'));
    expect(jira.installations.map((i: { id: string }) => i.id).sort()).toEqual([...ids.jira].sort());
    const github = await json(h.admin('GET', '/oauth/installations?platform=github&status=active'));
    expect(github.installations).toEqual([expect.objectContaining({ id: ids.github, external_org_name: 'admin-org', has_refresh_token: false })]);
    expect((await json(h.admin('GET', '/oauth/installations?status=revoked'))).installations).toEqual([]);
  });

  it('rejects bad filters and ids with a 400 naming the problem', async () => {
    const badPlatform = await h.admin('GET', '/oauth/installations?platform=gitlab');
    expect(badPlatform.status).toBe(400);
    expect(JSON.stringify(await json(badPlatform))).toContain('platform must be one of github, slack, jira');
    const badStatus = await h.admin('GET', '/oauth/installations?status=deleted');
    expect(badStatus.status).toBe(400);
    expect(JSON.stringify(await json(badStatus))).toContain('status must be one of active, suspended, needs_reinstall, revoked');
    const badId = await h.admin('GET', '/oauth/installations/not-a-uuid');
    expect(badId.status).toBe(400);
    expect((await json(badId)).message).toBe('id must be a UUID');
  });

  it('shows one installation; 404 for an unknown id', async () => {
    const one = await h.admin('GET', `/oauth/installations/${ids.slack}`);
    const text = await one.text();
    noSecretIn(text);
    expect(JSON.parse(text).installation).toMatchObject({ id: ids.slack, platform: 'slack', external_org_id: 'T0ADMIN001', has_refresh_token: true });
    const unknown = await h.admin('GET', '/oauth/installations/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).message).toContain('not found');
    expect((await h.admin('DELETE', '/oauth/installations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('Slack revoke: auth.revoke at Slack with the bot token, then revoked and every secret erased; repeating is harmless', async () => {
    const [before] = await h.sql<{ access_token: string }>('SELECT access_token FROM installations WHERE id = $1', [ids.slack]);
    expect(before.access_token).toMatch(/^enc:v1:/);
    const liveTokens = [...h.sandbox.slack.botTokens.entries()].filter(([, grant]) => grant.teamId === 'T0ADMIN001').map(([token]) => token);
    expect(liveTokens).toHaveLength(1);

    const response = await h.admin('DELETE', `/oauth/installations/${ids.slack}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    noSecretIn(text);
    expect(JSON.parse(text)).toEqual({
      success: true,
      installation_id: ids.slack,
      status: 'revoked',
      already_revoked: false,
      provider_revocation: { revoked: true, detail: 'Slack revoked the bot token' },
      // No API process runs here: the only token cache is oauth-service's own (Jira webhook registrations use the TokenService).
      token_caches: { confirmed: true, revision: expect.any(Number), waited_ms: expect.any(Number), acknowledged: [expect.objectContaining({ app: 'oauth-service', pid: process.pid })], lease_expired: [], unconfirmed: [] },
    });
    const revokeCall = h.sandbox.slack.callsTo('POST /api/auth.revoke').at(-1)!;
    expect(revokeCall.headers['authorization']).toBe(`Bearer ${liveTokens[0]}`);
    expect(h.sandbox.slack.botTokens.has(liveTokens[0])).toBe(false);

    const [row] = await h.sql('SELECT * FROM installations WHERE id = $1', [ids.slack]);
    expect(row).toMatchObject({ status: 'revoked', access_token: null, refresh_token: null, token_expires_at: null, private_key: null, webhook_secret: null });
    expect(row['revoked_at']).toBeInstanceOf(Date);

    const again = await h.admin('DELETE', `/oauth/installations/${ids.slack}`);
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ already_revoked: true, status: 'revoked', token_caches: { confirmed: true } });
    expect(h.sandbox.slack.callsTo('POST /api/auth.revoke')).toHaveLength(1);
    const events = await h.sql<{ event: string; actor: string }>('SELECT event, actor FROM audit_events WHERE installation_id = $1 ORDER BY id', [ids.slack]);
    expect(events.map((e) => e.event)).toEqual(['installation.installed', 'installation.revoked']);
  });

  it('GitHub revoke uninstalls the app with the app JWT', async () => {
    const installation = [...h.sandbox.github.installations.values()].find((i) => i.account.login === 'admin-org')!;
    const response = await h.admin('DELETE', `/oauth/installations/${ids.github}`);
    expect(await json(response)).toMatchObject({ provider_revocation: { revoked: true, detail: 'the GitHub App was uninstalled from the account' } });
    const call = h.sandbox.github.callsTo('DELETE /app/installations/:id').at(-1)!;
    expect(call.path).toBe(`/app/installations/${installation.id}`);
    expect(call.headers['authorization']).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(h.sandbox.github.installations.has(installation.id)).toBe(false);
  });

  it('Jira revoke says Atlassian has no revoke endpoint, erases that site only', async () => {
    const response = await h.admin('DELETE', `/oauth/installations/${ids.jira[0]}`);
    expect(await json(response)).toMatchObject({ status: 'revoked', provider_revocation: { revoked: false, detail: expect.stringMatching(/Atlassian has no token revocation endpoint/) } });
    const rows = await h.sql<{ id: string; status: string; access_token: string | null }>('SELECT id, status, access_token FROM installations WHERE id = ANY($1)', [ids.jira]);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[ids.jira[0]]).toMatchObject({ status: 'revoked', access_token: null });
    expect(byId[ids.jira[1]]).toMatchObject({ status: 'active', access_token: expect.stringMatching(/^enc:v1:/) });
  });

  it('a provider failing during revoke still ends access here, and the answer says what happened', async () => {
    const { installation_id } = await json(h.callback(await h.approve('slack', { fake_team: 'T0FAILREV1' })));
    h.sandbox.slack.failNext('POST /api/auth.revoke', { status: 503 });
    const body = await json(h.admin('DELETE', `/oauth/installations/${installation_id}`));
    expect(body).toMatchObject({ status: 'revoked', provider_revocation: { revoked: false, detail: expect.stringMatching(/Slack token revocation failed with HTTP 503/) } });
    expect((await h.sql('SELECT status, access_token FROM installations WHERE id = $1', [installation_id]))[0]).toEqual({ status: 'revoked', access_token: null });
  });

  it('serves OpenAPI docs for its routes', async () => {
    const spec = await json(fetch(`${h.url}/docs/openapi.json`));
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/oauth/install/{platform}', '/oauth/callback/{platform}', '/oauth/installations', '/oauth/installations/{id}', '/health', '/health/ready']),
    );
    expect((await fetch(`${h.url}/docs`)).status).toBe(200);
  });

  it('the landing page offers one button per configured platform', async () => {
    const html = await (await fetch(`${h.url}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira']) expect(html).toContain(label);
    expect(html).toContain('href="/oauth/install/slack"');
  });
});

describe('oauth-service limits', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ OAUTH_RATE_LIMIT_PER_MINUTE: '3', BODY_LIMIT: '1kb', GITHUB_APP_ID: '', GITHUB_APP_NAME: '', GITHUB_PRIVATE_KEY: '', GITHUB_WEBHOOK_SECRET: '' });
  }, 60_000);
  afterAll(() => h.close());

  it('rate-limits the install routes per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${h.url}/oauth/install/slack`, { redirect: 'manual' })).status);
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
  });

  it('an unconfigured platform has no button and its install route is a 404', async () => {
    const html = await (await fetch(`${h.url}/`)).text();
    expect(html).not.toContain('Add to GitHub');
    expect(html).toContain('Add to Slack');
  });

  it('request bodies over the limit are refused with 413', async () => {
    const response = await fetch(`${h.url}/oauth/installations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
  });
});
