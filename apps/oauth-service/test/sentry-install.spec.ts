import { TokenCipher } from '@bot/crypto';
import { OAuthServiceHarness, json, startOAuthService } from './support/oauth-service.harness';

const AUTHORIZE = 'POST /api/0/sentry-app-installations/:uuid/authorizations/';
const VERIFY = 'PUT /api/0/sentry-app-installations/:uuid/';

/** Sentry's integration-platform install against the fake: state in a cookie, Sentry-initiated installs, refusals. */
describe('Sentry install (oauth-service)', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ UPSTREAM_TIMEOUT_MS: '1000' });
  });
  afterAll(() => h.close());

  const installationCount = async (where = `platform = 'sentry'`) => Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM installations WHERE ${where}`))[0].n);
  const expectError = async (response: Response, status: number, code: string, message: RegExp) => {
    expect(response.status).toBe(status);
    expect(await json(response)).toEqual({ success: false, error: { code, message: expect.stringMatching(message) } });
  };
  const stateCookieOf = (response: Response) => response.headers.get('set-cookie') ?? '';

  it('install page → Sentry approves → callback with code, installationId, orgSlug → token exchanged, install verified, stored', async () => {
    const install = await fetch(`${h.url}/oauth/install/sentry`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    expect(install.headers.get('location')).toBe(`${h.sandbox.sentry.url}/sentry-apps/sandbox-bot/external-install/`);
    // Sentry hands back only its own query, so our state is bound to the browser in a cookie for the callback path.
    const cookie = stateCookieOf(install);
    expect(cookie).toMatch(/^oauth_state_sentry=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/oauth\/callback\/sentry; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const state = /^oauth_state_sentry=([^;]+)/.exec(cookie)![1];
    expect(await h.sql('SELECT platform FROM oauth_states WHERE state = $1', [state])).toEqual([{ platform: 'sentry' }]);

    const callbackUrl = await h.approve('sentry', { fake_org: 'acme-sentry' });
    const callback = new URL(callbackUrl);
    expect(callback.pathname).toBe('/oauth/callback/sentry');
    expect([...callback.searchParams.keys()].sort()).toEqual(['code', 'installationId', 'orgSlug']);
    const uuid = callback.searchParams.get('installationId')!;

    const response = await h.callback(callbackUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^oauth_state_sentry=; Path=\/oauth\/callback\/sentry; Expires=Thu, 01 Jan 1970/);
    const { installation_id } = await json(response);

    const exchange = h.sandbox.sentry.callsTo(AUTHORIZE).find((call) => call.path.includes(uuid))!;
    expect(exchange.headers['content-type']).toContain('application/json');
    expect(exchange.body).toEqual({ client_id: 'sandbox-sentry-client', client_secret: 'sandbox-sentry-client-secret', grant_type: 'authorization_code', code: callback.searchParams.get('code') });
    const verify = h.sandbox.sentry.callsTo(VERIFY).find((call) => call.path.includes(uuid))!;
    expect(verify.body).toEqual({ status: 'installed' });
    expect(verify.headers['authorization']).toMatch(/^Bearer sntryi_/);
    expect(h.sandbox.sentry.installations.get(uuid)?.status).toBe('installed');

    const [row] = await h.sql('SELECT * FROM installations WHERE id = $1', [installation_id]);
    expect(row).toMatchObject({
      platform: 'sentry',
      status: 'active',
      external_org_id: 'acme-sentry',
      external_org_name: 'acme-sentry',
      external_install_id: uuid,
      scopes: ['event:read', 'org:read', 'project:read', 'event:write'],
      metadata: expect.objectContaining({ org_slug: 'acme-sentry', app_slug: 'sandbox-bot' }),
    });
    expect(TokenCipher.keyIdOf(row['access_token'] as string)).toBeTruthy();
    expect(row['refresh_token']).toMatch(/^enc:v1:/);
    const lifetime = new Date(row['token_expires_at'] as string).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(7.9 * 3600_000);
    expect(lifetime).toBeLessThanOrEqual(8 * 3600_000);
    expect((await h.sql(`SELECT count(*)::int AS n FROM oauth_states WHERE platform = 'sentry'`))[0]).toEqual({ n: 1 }); // only the one of the first fetch above
  });

  it('an install begun in Sentry (no state of ours) is completed from its code, as Sentry documents', async () => {
    const approval = await fetch(`${h.sandbox.sentry.url}/sentry-apps/sandbox-bot/external-install/?fake_org=from-sentry`, { redirect: 'manual' });
    const response = await h.callback(approval.headers.get('location')!);
    expect(response.status).toBe(200);
    expect(await h.sql(`SELECT external_org_id, status FROM installations WHERE id = $1`, [(await json(response)).installation_id])).toEqual([{ external_org_id: 'from-sentry', status: 'active' }]);
  });

  it('re-installing into the same organization updates its one installation', async () => {
    const first = await json(h.callback(await h.approve('sentry', { fake_org: 'reinstalled-org' })));
    const second = await json(h.callback(await h.approve('sentry', { fake_org: 'reinstalled-org' })));
    expect(second.installation_id).toBe(first.installation_id);
    const rows = await h.sql(`SELECT external_install_id FROM installations WHERE external_org_id = 'reinstalled-org'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]['external_install_id']).toBe([...h.sandbox.sentry.installations.values()].filter((i) => i.orgSlug === 'reinstalled-org' && !i.deleted)[0].uuid);
    const events = await h.sql(`SELECT event FROM audit_events WHERE installation_id = $1 ORDER BY id`, [first.installation_id]);
    expect(events.map((event) => event['event'])).toEqual(['installation.installed', 'installation.reinstalled']);
  });

  it('revoke uninstalls the integration from the organization, then erases the tokens; repeating it is harmless', async () => {
    const { installation_id } = await json(h.callback(await h.approve('sentry', { fake_org: 'revoked-org' })));
    const uuid = (await h.sql(`SELECT external_install_id FROM installations WHERE id = $1`, [installation_id]))[0]['external_install_id'] as string;
    const revoked = await json(h.admin('DELETE', `/oauth/installations/${installation_id}`));
    expect(revoked).toMatchObject({ status: 'revoked', already_revoked: false, provider_revocation: { revoked: true, detail: 'the integration was uninstalled from the Sentry organization' } });
    expect(h.sandbox.sentry.installations.get(uuid)?.deleted).toBe(true);
    expect(await h.sql(`SELECT status, access_token, refresh_token FROM installations WHERE id = $1`, [installation_id])).toEqual([{ status: 'revoked', access_token: null, refresh_token: null }]);
    expect(await json(h.admin('DELETE', `/oauth/installations/${installation_id}`))).toMatchObject({ already_revoked: true });
  });

  describe('refusals store nothing', () => {
    beforeEach(() => h.sql(`DELETE FROM installations WHERE platform = 'sentry'`));

    it('a replayed callback: the state cookie was single use', async () => {
      const callbackUrl = await h.approve('sentry', { fake_org: 'replayed' });
      expect((await h.callback(callbackUrl)).status).toBe(200);
      await expectError(await h.callback(callbackUrl), 400, 'invalid_state', /unknown or was already used/);
      expect(await installationCount()).toBe(1);
    });

    it('a state cookie that was never issued (another browser, forged) is refused before any exchange', async () => {
      const approval = await fetch(`${h.sandbox.sentry.url}/sentry-apps/sandbox-bot/external-install/?fake_org=forged-cookie`, { redirect: 'manual' });
      const exchanges = h.sandbox.sentry.callsTo(AUTHORIZE).length;
      await expectError(await h.callback(approval.headers.get('location')!, 'application/json', { cookie: 'oauth_state_sentry=forged-state' }), 400, 'invalid_state', /unknown/);
      expect(h.sandbox.sentry.callsTo(AUTHORIZE)).toHaveLength(exchanges);
      expect(await installationCount()).toBe(0);
    });

    it('an expired state cookie', async () => {
      const callbackUrl = await h.approve('sentry', { fake_org: 'expired-state' });
      await h.sql(`UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE platform = 'sentry'`);
      await expectError(await h.callback(callbackUrl), 400, 'invalid_state', /expired/);
      expect(await installationCount()).toBe(0);
    });

    it('a denied install', async () => {
      const callbackUrl = await h.approve('sentry', { fake_decision: 'deny' });
      await expectError(await h.callback(callbackUrl), 400, 'access_denied', /Sentry did not approve the install \(access_denied\)/);
      expect(await installationCount()).toBe(0);
    });

    it('a code Sentry does not accept → 502, and a Sentry-initiated callback without an installation id → 400', async () => {
      const approval = await fetch(`${h.sandbox.sentry.url}/sentry-apps/sandbox-bot/external-install/?fake_org=bad-code`, { redirect: 'manual' });
      const url = new URL(approval.headers.get('location')!);
      url.searchParams.set('code', 'not-the-code');
      await expectError(await h.callback(url.toString()), 502, 'upstream_failure', /Sentry token exchange failed with HTTP 401: Invalid grant/);
      url.searchParams.delete('installationId');
      await expectError(await h.callback(url.toString()), 400, 'invalid_state', /no state/);
      url.searchParams.set('installationId', 'not-a-uuid');
      const badId = await h.callback(url.toString());
      expect(badId.status).toBe(400);
      expect(JSON.stringify(await json(badId))).toContain('installationId must be a UUID');
      expect(await installationCount()).toBe(0);
    });

    it('Sentry failing the install verification → 502', async () => {
      h.sandbox.sentry.failNext(VERIFY, { status: 500, body: { detail: 'Internal Error' } });
      await expectError(await h.callback(await h.approve('sentry', { fake_org: 'verify-fails' })), 502, 'upstream_failure', /installation verification failed with HTTP 500/);
      expect(await installationCount()).toBe(0);
    });
  });

  it('the landing page offers all four platforms', async () => {
    const html = await (await fetch(`${h.url}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira', 'Add to Sentry']) expect(html).toContain(label);
    expect(html.indexOf('Add to Jira')).toBeLessThan(html.indexOf('Add to Sentry'));
  });
});
