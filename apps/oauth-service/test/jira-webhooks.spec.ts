import { jiraSite } from '@bot/platform-jira';
import { signIn } from './support/console.harness';
import { OAuthServiceHarness, json, startOAuthService } from './support/oauth-service.harness';

const REGISTER = 'POST /ex/jira/:cloudId/rest/api/3/webhook';
const DELETE = 'DELETE /ex/jira/:cloudId/rest/api/3/webhook';
const WEBHOOK_PUBLIC_BASE_URL = 'https://hooks.bot.example.com';

/** oauth-service's side of Jira webhooks: registrations follow install and revoke; the admin-webhook secret. */
describe('Jira webhooks in oauth-service', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ WEBHOOK_PUBLIC_BASE_URL });
  });
  afterAll(() => h.close());

  const installSite = async (name: string) => {
    const body = await json(h.callback(await h.approve('jira', { fake_site: name })));
    expect(body.success).toBe(true);
    return { id: body.installation_id as string, site: jiraSite(name) };
  };
  const registration = async (id: string) => (await h.sql(`SELECT * FROM webhook_registrations WHERE installation_id = $1`, [id]))[0];
  const row = async (id: string) => (await h.sql(`SELECT status, access_token, refresh_token, webhook_secret FROM installations WHERE id = $1`, [id]))[0];

  it('revoke deletes the site\'s registrations at Jira first, with the installation\'s token, then erases the tokens', async () => {
    const { id, site } = await installSite('revoke-deletes');
    const ids = h.sandbox.atlassian.webhooksOf(site).map((webhook) => webhook.id);
    expect(ids).toHaveLength(1);
    expect(await registration(id)).toMatchObject({ status: 'active', external_ids: ids, url: `${WEBHOOK_PUBLIC_BASE_URL}/webhooks/jira` });

    const revoked = await h.admin('DELETE', `/oauth/installations/${id}`);
    expect(revoked.status).toBe(200);
    expect(await json(revoked)).toMatchObject({ status: 'revoked', platform_cleanup: { step: 'webhook_registrations', ok: true, detail: `deleted Jira webhook ${ids[0]}` } });
    const deletion = h.sandbox.atlassian.callsTo(DELETE).find((call) => call.path.startsWith(`/ex/jira/${site.id}/`));
    expect(deletion?.body).toEqual({ webhookIds: ids });
    expect(deletion?.headers['authorization']).toMatch(/^Bearer eyJfake\./);
    expect(h.sandbox.atlassian.webhooksOf(site)).toEqual([]);
    expect(await row(id)).toMatchObject({ status: 'revoked', access_token: null, refresh_token: null });
    expect(await registration(id)).toMatchObject({ status: 'deleted', external_ids: [] });
    const events = await h.sql(`SELECT event FROM audit_events WHERE installation_id = $1 ORDER BY id`, [id]);
    expect(events.map((event) => event['event'])).toEqual(['installation.installed', 'jira.webhook.registered', 'jira.webhook.deleted', 'installation.revoked']);
  });

  it('a failed deletion is reported and never blocks the revoke', async () => {
    const { id, site } = await installSite('revoke-delete-fails');
    h.sandbox.atlassian.failNext(DELETE, { status: 500, body: { errorMessages: ['Internal server error'], errors: {} } });
    const revoked = await h.admin('DELETE', `/oauth/installations/${id}`);
    expect(revoked.status).toBe(200);
    expect(await json(revoked)).toMatchObject({ status: 'revoked', already_revoked: false, platform_cleanup: { ok: false, detail: expect.stringMatching(/could not delete Jira webhook \d+ \(Jira webhook deletion failed with HTTP 500/) } });
    expect(await row(id)).toMatchObject({ status: 'revoked', access_token: null, refresh_token: null });
    expect(await registration(id)).toMatchObject({ status: 'deleted', last_error: expect.stringMatching(/^deletion failed/) });
    expect(h.sandbox.atlassian.webhooksOf(site)).toHaveLength(1);
  });

  it('a failed registration does not fail the install; it shows on the installation and waits for the renewal job', async () => {
    h.sandbox.atlassian.failNext(REGISTER, { status: 503, body: { errorMessages: ['Try later'], errors: {} } });
    const { id, site } = await installSite('register-fails');
    expect(h.sandbox.atlassian.webhooksOf(site)).toEqual([]);
    const shown = (await json(h.admin('GET', `/oauth/installations/${id}`))).installation;
    expect(shown).toMatchObject({
      status: 'active',
      webhook_registration: { status: 'failing', failures: 1, webhook_ids: [], last_error: expect.stringMatching(/register failed: Jira webhook registration failed with HTTP 503: Try later/), retry_at: expect.any(String) },
    });
  });

  it('a re-install replaces the site\'s registration instead of adding a second one', async () => {
    const first = await installSite('reinstall-site');
    const before = h.sandbox.atlassian.webhooksOf(first.site).map((webhook) => webhook.id);
    const second = await installSite('reinstall-site');
    expect(second.id).toBe(first.id);
    const after = h.sandbox.atlassian.webhooksOf(first.site).map((webhook) => webhook.id);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(await registration(first.id)).toMatchObject({ status: 'active', external_ids: after });
  });

  it('the operator console lists the site\'s dynamic webhooks next to its admin webhook', async () => {
    const { id, site } = await installSite('console-rows');
    const [webhook] = h.sandbox.atlassian.webhooksOf(site);
    const operator = await signIn(h);
    const page = await (await operator.get(`/admin/installations/${id}`)).text();
    expect(page).toContain('Jira dynamic webhooks');
    expect(page).toContain(`${WEBHOOK_PUBLIC_BASE_URL}/webhooks/jira`);
    expect(page).toContain(`registered (ids ${webhook.id}; `);
    expect(page).toContain('Jira admin webhook');
    expect(page).toContain(`${WEBHOOK_PUBLIC_BASE_URL}/webhooks/jira/${id}`);

    h.sandbox.atlassian.failNext(DELETE, { status: 500, body: { errorMessages: ['Internal server error'], errors: {} } });
    await h.admin('DELETE', `/oauth/installations/${id}`);
    const after = await (await operator.get(`/admin/installations/${id}`)).text();
    expect(after).toMatch(/deleted here, deletion failed/);
  });

  describe('PUT/DELETE /oauth/installations/:id/webhook-secret', () => {
    let id: string;
    beforeAll(async () => {
      id = (await installSite('admin-webhooks')).id;
    });

    it('generates a secret, stores it encrypted, shows it once with the exact URL', async () => {
      const response = await h.admin('PUT', `/oauth/installations/${id}/webhook-secret`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = await json(response);
      expect(body).toMatchObject({ success: true, installation_id: id, generated: true, webhook_url: `${WEBHOOK_PUBLIC_BASE_URL}/webhooks/jira/${id}` });
      expect(body.webhook_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const stored = (await row(id))['webhook_secret'] as string;
      expect(stored).toMatch(/^enc:v1:/);
      expect(stored).not.toContain(body.webhook_secret);
      const shown = await (await h.admin('GET', `/oauth/installations/${id}`)).text();
      expect(shown).not.toContain(body.webhook_secret);
      expect(JSON.parse(shown).installation.has_webhook_secret).toBe(true);
      const audit = await h.sql(`SELECT detail FROM audit_events WHERE installation_id = $1 AND event = 'installation.webhook_secret_set'`, [id]);
      expect(audit).toEqual([{ detail: { generated: true } }]);
    });

    it('accepts a secret of the admin\'s own, refuses a malformed one and changes nothing then', async () => {
      const own = 'my-own-jira-admin-secret-1234';
      expect(await json(h.admin('PUT', `/oauth/installations/${id}/webhook-secret`, { secret: own }))).toMatchObject({ webhook_secret: own, generated: false });
      const before = (await row(id))['webhook_secret'];
      const bad = await h.admin('PUT', `/oauth/installations/${id}/webhook-secret`, { secret: 'too short' });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await json(bad))).toContain('secret must be 16 to 255 printable ASCII characters without spaces');
      expect((await row(id))['webhook_secret']).toBe(before);
    });

    it('refuses platforms without admin webhooks, unknown ids and revoked installations', async () => {
      const slack = await json(h.callback(await h.approve('slack', { fake_team: 'T0SECRET01' })));
      const notJira = await h.admin('PUT', `/oauth/installations/${slack.installation_id}/webhook-secret`);
      expect(notJira.status).toBe(400);
      expect((await json(notJira)).message).toBe('Slack installations have no admin webhooks; webhook secrets are for jira installations');
      expect((await h.admin('PUT', '/oauth/installations/00000000-0000-4000-8000-000000000000/webhook-secret')).status).toBe(404);
      const gone = await installSite('admin-webhooks-revoked');
      await h.admin('DELETE', `/oauth/installations/${gone.id}`);
      expect((await h.admin('PUT', `/oauth/installations/${gone.id}/webhook-secret`)).status).toBe(409);
      expect((await row(gone.id))['webhook_secret']).toBeNull();
    });

    it('DELETE clears it; repeating it is harmless', async () => {
      expect(await json(h.admin('DELETE', `/oauth/installations/${id}/webhook-secret`))).toEqual({ success: true, installation_id: id, cleared: true });
      expect((await row(id))['webhook_secret']).toBeNull();
      expect(await json(h.admin('DELETE', `/oauth/installations/${id}/webhook-secret`))).toEqual({ success: true, installation_id: id, cleared: false });
      expect((await json(h.admin('GET', `/oauth/installations/${id}`))).installation.has_webhook_secret).toBe(false);
    });
  });
});
