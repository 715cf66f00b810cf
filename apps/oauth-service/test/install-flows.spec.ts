import { TokenCipher } from '@bot/crypto';
import { OAuthServiceHarness, json, startOAuthService } from './support/oauth-service.harness';

describe('install flows end to end (fakes speak the real wire formats)', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({}, { slackRotation: true });
  }, 60_000);
  afterAll(() => h.close());

  const row = async (id: string) => (await h.sql('SELECT * FROM installations WHERE id = $1', [id]))[0];

  it('GitHub: install page → callback with installation_id → the named installation, read with the app JWT, token minted', async () => {
    // Another org installs first: the callback must still pick the installation it names, never "the first".
    h.sandbox.github.install('someone-else');
    const callbackUrl = await h.approve('github', { fake_account: 'acme-corp' });
    const callback = new URL(callbackUrl);
    expect(callback.pathname).toBe('/oauth/callback/github');
    expect(callback.searchParams.get('setup_action')).toBe('install');

    const response = await h.callback(callbackUrl);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toEqual({ success: true, installation_id: expect.any(String) });

    const installation = [...h.sandbox.github.installations.values()].find((i) => i.account.login === 'acme-corp')!;
    const stored = await row(body.installation_id);
    expect(stored).toMatchObject({
      platform: 'github',
      status: 'active',
      external_org_id: String(installation.account.id),
      external_org_name: 'acme-corp',
      external_install_id: String(installation.id),
      refresh_token: null,
    });
    expect(stored['access_token']).toMatch(/^enc:v1:/);
    const issued = [...h.sandbox.github.tokens.entries()].filter(([, id]) => id === installation.id).map(([token]) => token);
    expect(issued).toHaveLength(1);
    expect(stored['access_token']).not.toContain(issued[0]);
    expect(new Date(stored['token_expires_at'] as string).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(stored['scopes']).toEqual(expect.arrayContaining(['contents:write', 'issues:write']));

    const lookups = h.sandbox.github.callsTo('GET /app/installations/:id');
    expect(lookups.at(-1)?.path).toBe(`/app/installations/${installation.id}`);
    expect(h.sandbox.github.calls.some((call) => call.path === '/app/installations')).toBe(false);
    const jwt = lookups.at(-1)!.headers['authorization'].replace('Bearer ', '');
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
    expect(claims.iss).toBe('424242');
    expect(Math.floor(Date.now() / 1000) - claims.iat).toBeGreaterThanOrEqual(59);
  });

  it('Slack: authorize → oauth.v2.access (form) → team, bot user, scopes, installer and rotating token stored', async () => {
    const callbackUrl = await h.approve('slack', { fake_team: 'T0ACME0001' });
    const response = await h.callback(callbackUrl);
    expect(response.status).toBe(200);
    const { installation_id } = await json(response);

    const authorize = h.sandbox.slack.callsTo('GET /oauth/v2/authorize').at(-1)!;
    expect(authorize.query['scope']).toBe('chat:write,channels:read,app_mentions:read,users:read,reactions:write');
    expect(authorize.query['redirect_uri']).toBe(`${h.url}/oauth/callback/slack`);
    expect(authorize.query['state']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const exchange = h.sandbox.slack.callsTo('POST /api/oauth.v2.access').at(-1)!;
    expect(exchange.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(exchange.body).toMatchObject({ client_id: '1111.2222', redirect_uri: `${h.url}/oauth/callback/slack` });

    const stored = await row(installation_id);
    expect(stored).toMatchObject({
      platform: 'slack',
      external_org_id: 'T0ACME0001',
      external_org_name: 'Workspace T0ACME0001',
      installed_by: 'U0INSTALLER',
      scopes: ['chat:write', 'channels:read', 'app_mentions:read', 'users:read', 'reactions:write'],
      metadata: expect.objectContaining({ bot_user_id: 'U0BOTUSER01', app_id: 'A0SANDBOX01', team_id: 'T0ACME0001', token_rotation: true }),
    });
    expect(stored['access_token']).toMatch(/^enc:v1:/);
    expect(stored['refresh_token']).toMatch(/^enc:v1:/);
    const expiresIn = new Date(stored['token_expires_at'] as string).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(11 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(12 * 3600_000);
  });

  it('Slack Enterprise Grid org-wide install is keyed by the enterprise', async () => {
    const response = await h.callback(await h.approve('slack', { fake_enterprise_install: '1' }));
    const { installation_id } = await json(response);
    expect(await row(installation_id)).toMatchObject({ external_org_id: 'E0SANDBOX1', metadata: expect.objectContaining({ is_enterprise_install: true, team_id: null }) });
  });

  it('Jira: PKCE S256 end to end; two granted sites become two installations sharing one grant', async () => {
    const callbackUrl = await h.approve('jira', { fake_sites: '2', fake_site: 'acme' });
    const authorize = h.sandbox.atlassian.callsTo('GET /authorize').at(-1)!;
    expect(authorize.query).toMatchObject({
      audience: 'api.atlassian.com',
      response_type: 'code',
      prompt: 'consent',
      code_challenge_method: 'S256',
      scope: 'read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access',
    });
    // The verifier was stored encrypted with the state, never sent to the browser.
    const [state] = await h.sql<{ code_verifier: string }>('SELECT code_verifier FROM oauth_states WHERE state = $1', [authorize.query['state']]);
    expect(state.code_verifier).toMatch(/^enc:v1:/);

    const response = await h.callback(callbackUrl);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body.installation_ids).toHaveLength(2);
    expect(body.installation_id).toBe(body.installation_ids[0]);

    const exchange = h.sandbox.atlassian.callsTo('POST /oauth/token').at(-1)!;
    expect(exchange.headers['content-type']).toContain('application/json');
    expect(exchange.body).toMatchObject({ grant_type: 'authorization_code', code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });

    const rows = await h.sql('SELECT * FROM installations WHERE id = ANY($1) ORDER BY external_org_name', [body.installation_ids]);
    expect(rows.map((r) => [r['external_org_name'], (r['metadata'] as { url: string }).url])).toEqual([
      ['acme', 'https://acme.atlassian.net'],
      ['acme-2', 'https://acme-2.atlassian.net'],
    ]);
    expect(rows[0]['oauth_grant_id']).toBeTruthy();
    expect(rows[0]['oauth_grant_id']).toBe(rows[1]['oauth_grant_id']);
    for (const r of rows) {
      expect(TokenCipher.keyIdOf(r['access_token'] as string)).toBeTruthy();
      expect(r['refresh_token']).toMatch(/^enc:v1:/);
      expect(r['scopes']).toEqual(['read:jira-work', 'write:jira-work', 'read:jira-user', 'manage:jira-webhook', 'offline_access']);
    }
    expect(await h.sql('SELECT 1 FROM oauth_states WHERE state = $1', [authorize.query['state']])).toEqual([]);

    // Each site got the app's dynamic webhooks, pointed at the gateway (BASE_URL's host with the gateway's port by default).
    const registrations = h.sandbox.atlassian.callsTo('POST /ex/jira/:cloudId/rest/api/3/webhook');
    expect(registrations.map((call) => call.path).sort()).toEqual(rows.map((r) => `/ex/jira/${r['external_org_id']}/rest/api/3/webhook`).sort());
    for (const call of registrations) {
      expect(call.body).toEqual({
        url: 'http://127.0.0.1:8000/webhooks/jira',
        webhooks: [{ events: ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created', 'comment_updated'], jqlFilter: 'project != null' }],
      });
    }
    const stored = await h.sql('SELECT installation_id, status, external_ids, url, expires_at FROM webhook_registrations WHERE installation_id = ANY($1)', [body.installation_ids]);
    expect(stored).toHaveLength(2);
    for (const registration of stored) {
      const site = rows.find((r) => r['id'] === registration['installation_id'])!;
      const ids = h.sandbox.atlassian.webhooksOf({ id: site['external_org_id'] as string }).map((webhook) => webhook.id);
      expect(registration).toMatchObject({ status: 'active', external_ids: ids, url: 'http://127.0.0.1:8000/webhooks/jira' });
      const lifetime = new Date(registration['expires_at'] as string).getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(29 * 24 * 3600_000);
    }
  });

  it('a browser gets a success page naming the org', async () => {
    const response = await h.callback(await h.approve('slack', { fake_team: 'T0PAGE0001' }), 'text/html,application/xhtml+xml');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('Installed in Slack');
    expect(html).toContain('Workspace T0PAGE0001');
  });

  it('records an audit event per install, without tokens', async () => {
    const { installation_id } = await json(h.callback(await h.approve('slack', { fake_team: 'T0AUDIT001' })));
    const events = await h.sql('SELECT event, platform, actor, detail FROM audit_events WHERE installation_id = $1', [installation_id]);
    expect(events).toEqual([{ event: 'installation.installed', platform: 'slack', actor: 'U0INSTALLER', detail: expect.objectContaining({ external_org_id: 'T0AUDIT001' }) }]);
    expect(JSON.stringify(events)).not.toMatch(/xox/);
  });
});
