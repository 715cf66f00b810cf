import { TEST_ADMIN_API_KEY } from '@bot/testing';
import { ConsoleClient, inputValue, seedDeadTask, seedInstallations, setCookies, signIn, submitLogin } from './support/console.harness';
import { json, OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

const PAGES = ['/admin', '/admin/installations', '/admin/installations?platform=slack', '/admin/webhooks', '/admin/events', '/admin/webhooks/tasks/1', '/admin/no-such-page'];

describe('operator console over HTTP', () => {
  let h: OAuthServiceHarness;
  let operator: ConsoleClient;
  let slackId: string;

  beforeAll(async () => {
    h = await startOAuthService({ ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    slackId = (await json(h.callback(await h.approve('slack', { fake_team: 'T0HTTPCONS' })))).installation_id;
    await seedInstallations(h, 30, 'http');
    operator = await signIn(h);
  }, 60_000);
  afterAll(() => h.close());

  describe('without a session', () => {
    it.each(PAGES)('GET %s redirects to the sign-in page, keeping where it was going', async (path) => {
      const response = await fetch(`${h.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = response.headers.get('location') as string;
      expect(location).toBe(path === '/admin' ? '/admin/login' : `/admin/login?next=${encodeURIComponent(path)}`);
    });

    it('POSTs redirect to the sign-in page and change nothing', async () => {
      for (const path of [`/admin/installations/${slackId}/revoke`, '/admin/webhooks/requeue', '/admin/webhooks/tasks/1/requeue', '/admin/events/deliveries/1/retry', '/admin/logout']) {
        const response = await fetch(`${h.url}${path}`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ _csrf: operator.csrf }) });
        expect([path, response.status, response.headers.get('location')]).toEqual([path, 303, '/admin/login']);
      }
      expect((await h.sql('SELECT status FROM installations WHERE id = $1', [slackId]))[0]).toEqual({ status: 'active' });
    });

    it('a forged, tampered or foreign session cookie is no session', async () => {
      const [payload, mac] = operator.cookie.replace('bot_admin_session=', '').split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const longer = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400_000 })).toString('base64url');
      for (const cookie of [`bot_admin_session=${longer}.${mac}`, `bot_admin_session=${payload}.${mac.slice(0, -2)}AA`, 'bot_admin_session=garbage', `bot_admin_session=${payload}`]) {
        const response = await fetch(`${h.url}/admin/installations`, { headers: { cookie }, redirect: 'manual' });
        expect(response.status).toBe(303);
      }
    });

    it('every route the router serves under /admin (but sign-in) or the admin API refuses a caller without a session or key', async () => {
      const routes = routesOf(h);
      const concrete = (path: string) => path.replace(/:installationId|:id/g, slackId).replace(/:[A-Za-z]+/g, '1');
      // The sign-in page and the stylesheet it needs are the only public parts of the console.
      const admin = routes.filter(([, path]) => path.startsWith('/admin') && !path.startsWith('/admin/login') && !path.startsWith('/admin/assets/'));
      const api = routes.filter(([, path]) => path.startsWith('/oauth/installations') || path.startsWith('/oauth/event-endpoints'));
      // The lists come from the router, so a new route is checked without editing this test; these floors catch a router walk that finds nothing.
      expect(admin.length).toBeGreaterThanOrEqual(10);
      expect(api.length).toBeGreaterThanOrEqual(8);
      for (const [method, path] of admin) {
        const response = await fetch(`${h.url}${concrete(path)}`, { method, redirect: 'manual', body: method === 'GET' ? undefined : new URLSearchParams({ _csrf: operator.csrf }) });
        expect([method, path, response.status, response.headers.get('location')?.startsWith('/admin/login')]).toEqual([method, path, 303, true]);
      }
      for (const [method, path] of api) {
        const response = await fetch(`${h.url}${concrete(path)}`, { method, headers: { cookie: operator.cookie, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
        expect([method, path, response.status]).toEqual([method, path, 401]);
      }
      expect((await h.sql('SELECT status FROM installations WHERE id = $1', [slackId]))[0]).toEqual({ status: 'active' });
    });

    it('the admin JSON API answers 401, also to a console session cookie', async () => {
      for (const [method, path] of [
        ['GET', '/oauth/installations'],
        ['GET', `/oauth/installations/${slackId}`],
        ['DELETE', `/oauth/installations/${slackId}`],
        ['GET', '/oauth/event-endpoints'],
        ['POST', '/oauth/event-endpoints'],
        ['DELETE', '/oauth/event-endpoints/00000000-0000-4000-8000-000000000000'],
      ]) {
        const response = await fetch(`${h.url}${path}`, { method, headers: { cookie: operator.cookie } });
        expect([method, path, response.status]).toEqual([method, path, 401]);
      }
    });
  });

  describe('signing in', () => {
    it('sets a signed HttpOnly SameSite=Strict cookie with an expiry, not Secure on http', async () => {
      const response = await submitLogin(h, TEST_ADMIN_API_KEY, '/admin/webhooks?queue=slack');
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/webhooks?queue=slack');
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('bot_admin_session='))!;
      expect(cookie).toMatch(/; Max-Age=28800;/);
      expect(cookie).toMatch(/; Path=\/admin;/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).not.toMatch(/Secure/);
      expect(cookie).not.toContain(TEST_ADMIN_API_KEY);
    });

    it('a wrong key gets the form again with an error and a 401, and no session', async () => {
      const response = await submitLogin(h, 'wrong-admin-key-0123456789');
      expect(response.status).toBe(401);
      const page = await response.text();
      expect(page).toContain('That is not the admin API key of this deployment.');
      expect(page).toContain('<form method="post" action="/admin/login">');
      expect(setCookies(response)['bot_admin_session']).toBeUndefined();
    });

    it('a sign-in without the form token (login CSRF) is refused even with the right key', async () => {
      const form = await fetch(`${h.url}/admin/login`);
      const loginCookie = setCookies(form)['bot_admin_login'];
      const attempts = [
        { cookie: '', token: inputValue(await form.text(), '_csrf') as string },
        { cookie: `bot_admin_login=${loginCookie}`, token: '' },
        { cookie: `bot_admin_login=${loginCookie}`, token: 'another-token' },
      ];
      for (const attempt of attempts) {
        const response = await fetch(`${h.url}/admin/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: attempt.cookie },
          body: new URLSearchParams({ key: TEST_ADMIN_API_KEY, _csrf: attempt.token }),
        });
        expect(response.status).toBe(403);
        expect(setCookies(response)['bot_admin_session']).toBeUndefined();
      }
    });

    it.each(['https://evil.example/admin/x', '//evil.example/admin', '/admin/login', '/oauth/installations', '/admin/\\evil', '/admin/../oauth'])(
      'never redirects to %s after signing in',
      async (next) => {
        const response = await submitLogin(h, TEST_ADMIN_API_KEY, next);
        expect(response.headers.get('location')).toMatch(/^\/admin\//);
        expect(response.headers.get('location')).not.toMatch(/evil|login|oauth/);
      },
    );
  });

  describe('every page', () => {
    it.each(['/admin/login', '/admin/installations', `/admin/installations/${'{slack}'}`, '/admin/webhooks', '/admin/events', '/admin/installations/not-a-uuid'])(
      '%s sends a strict CSP and the other protective headers',
      async (template) => {
        const path = template.replace('{slack}', slackId);
        const response = path === '/admin/login' ? await fetch(`${h.url}${path}`) : await operator.get(path);
        const csp = response.headers.get('content-security-policy') as string;
        expect(csp).toContain("default-src 'none'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("style-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("form-action 'self'");
        expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('cache-control')).toBe('no-store');
        const page = await response.text();
        // No inline script or style anywhere: the CSP would block it.
        expect(page).not.toMatch(/<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=/i);
      },
    );

    it('escapes every value from the database', async () => {
      await h.sql(`UPDATE installations SET external_org_name = $1, installed_by = $2 WHERE id = $3`, ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', slackId]);
      for (const path of ['/admin/installations', `/admin/installations/${slackId}`, `/admin/installations/${slackId}/revoke`]) {
        const page = await (await operator.get(path)).text();
        expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(page).not.toContain('<script>alert(1)');
        expect(page).not.toContain('<img src=x');
      }
      await h.sql(`UPDATE installations SET external_org_name = 'Workspace T0HTTPCONS', installed_by = NULL WHERE id = $1`, [slackId]);
    });

    it('never shows a token or a secret of an installation, not even masked', async () => {
      await h.sql(`UPDATE installations SET metadata = metadata || '{"note":"kept"}'::jsonb WHERE id = $1`, [slackId]);
      const [row] = await h.sql<{ access_token: string }>('SELECT access_token FROM installations WHERE id = $1', [slackId]);
      expect(row.access_token).toMatch(/^enc:v1:/);
      const page = await (await operator.get(`/admin/installations/${slackId}`)).text();
      for (const token of h.sandbox.slack.botTokens.keys()) expect(page).not.toContain(token);
      expect(page).not.toMatch(/enc:v1:|xox[a-z]-|\*{4}|access_token|refresh_token/);
      expect(page).toContain('&quot;note&quot;: &quot;kept&quot;');
    });

    it('bad filters and page links are a 400 page naming the problem; unknown ids a 404 page', async () => {
      const badPlatform = await operator.get('/admin/installations?platform=gitlab');
      expect(badPlatform.status).toBe(400);
      expect(await badPlatform.text()).toContain('platform must be one of github, slack, jira');
      const badCursor = await operator.get(`/admin/installations?after=${Buffer.from('["x","y"]').toString('base64url')}`);
      expect(badCursor.status).toBe(400);
      expect(await badCursor.text()).toContain('the page link is malformed');
      expect((await operator.get('/admin/installations/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await operator.get('/admin/installations/not-a-uuid')).status).toBe(404);
      expect((await operator.get('/admin/webhooks/tasks/999999')).status).toBe(404);
      expect((await operator.get('/admin/webhooks?queue=gitlab')).status).toBe(400);
      const unknown = await operator.get('/admin/no-such-page');
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await unknown.text()).toContain('There is no such page in the operator console.');
    });

    it('search treats LIKE wildcards literally and finds an installation by its id', async () => {
      const wildcard = await (await operator.get('/admin/installations?q=%25')).text();
      expect(wildcard).toContain('No installation matches these filters');
      const byId = await (await operator.get(`/admin/installations?q=${slackId.toUpperCase()}`)).text();
      expect(byId).toContain(`/admin/installations/${slackId}`);
      expect(byId.match(/<td data-label="Organisation">/g)?.length).toBe(1);
    });
  });

  describe('state-changing forms', () => {
    it('are refused without this session\'s CSRF token, changing nothing', async () => {
      const deadId = await seedDeadTask(h);
      const other = await signIn(h);
      for (const token of [null, '', 'not-a-token', other.csrf === operator.csrf ? 'x' : other.csrf]) {
        for (const path of [`/admin/installations/${slackId}/revoke`, `/admin/webhooks/tasks/${deadId}/requeue`, '/admin/webhooks/requeue', '/admin/events/deliveries/1/retry', '/admin/logout']) {
          const response = await operator.post(path, {}, token);
          expect([path, token, response.status]).toEqual([path, token, 403]);
          expect(await response.text()).toContain('CSRF');
        }
      }
      expect((await h.sql('SELECT status FROM installations WHERE id = $1', [slackId]))[0]).toEqual({ status: 'active' });
      expect((await h.sql('SELECT status FROM webhook_tasks WHERE id = $1', [deadId]))[0]).toEqual({ status: 'dead' });
    });

    it('revoke goes through the admin API\'s revoke (the provider is called), and repeating it is harmless', async () => {
      const revokesBefore = h.sandbox.slack.callsTo('POST /api/auth.revoke').length;
      const response = await operator.post(`/admin/installations/${slackId}/revoke`);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/admin/installations/${slackId}?notice=revoked`);
      expect(h.sandbox.slack.callsTo('POST /api/auth.revoke')).toHaveLength(revokesBefore + 1);
      const [row] = await h.sql('SELECT status, access_token FROM installations WHERE id = $1', [slackId]);
      expect(row).toEqual({ status: 'revoked', access_token: null });
      const audit = await h.sql<{ event: string; actor: string }>(`SELECT event, actor FROM audit_events WHERE installation_id = $1 AND event = 'installation.revoked'`, [slackId]);
      expect(audit).toEqual([{ event: 'installation.revoked', actor: 'admin' }]);

      const again = await operator.post(`/admin/installations/${slackId}/revoke`);
      expect(again.headers.get('location')).toBe(`/admin/installations/${slackId}?notice=already_revoked`);
      expect(h.sandbox.slack.callsTo('POST /api/auth.revoke')).toHaveLength(revokesBefore + 1);
      expect((await operator.get(`/admin/installations/${slackId}/revoke`)).status).toBe(303);
    });

    it('requeue of one dead letter is idempotent; requeue of a filter takes exactly its dead letters', async () => {
      await h.sql(`DELETE FROM webhook_tasks`);
      const one = await seedDeadTask(h, { queue: 'github', eventType: 'push' });
      const jira = [await seedDeadTask(h, { queue: 'jira', eventType: 'jira:issue_created' }), await seedDeadTask(h, { queue: 'jira', eventType: 'jira:issue_created' })];
      const otherJira = await seedDeadTask(h, { queue: 'jira', eventType: 'comment_created' });

      expect((await operator.post(`/admin/webhooks/tasks/${one}/requeue`)).headers.get('location')).toBe(`/admin/webhooks/tasks/${one}?notice=requeued`);
      await h.sql(`UPDATE webhook_tasks SET status = 'processing' WHERE id = $1`, [one]);
      expect((await operator.post(`/admin/webhooks/tasks/${one}/requeue`)).headers.get('location')).toBe(`/admin/webhooks/tasks/${one}?notice=not_dead`);
      expect((await h.sql('SELECT status FROM webhook_tasks WHERE id = $1', [one]))[0]).toEqual({ status: 'processing' });

      const confirm = await (await operator.get('/admin/webhooks/requeue?queue=jira&event_type=jira:issue_created')).text();
      expect(confirm).toContain('Requeue 2 dead letters?');
      const all = await operator.post('/admin/webhooks/requeue', { queue: 'jira', event_type: 'jira:issue_created' });
      expect(all.headers.get('location')).toBe('/admin/webhooks?queue=jira&event_type=jira%3Aissue_created&notice=requeued_all&requeued=2');
      const rows = await h.sql<{ id: string; status: string; attempts: number }>('SELECT id::text, status, attempts FROM webhook_tasks WHERE queue = $1 ORDER BY id', ['jira']);
      expect(rows).toEqual([
        { id: jira[0], status: 'pending', attempts: 0 },
        { id: jira[1], status: 'pending', attempts: 0 },
        { id: otherJira, status: 'dead', attempts: 10 },
      ]);
      const repeat = await operator.post('/admin/webhooks/requeue', { queue: 'jira', event_type: 'jira:issue_created' });
      expect(repeat.headers.get('location')).toContain('requeued=0');
      expect(await (await operator.get(repeat.headers.get('location') as string)).text()).toContain('0 dead letters were requeued.');
    });

    it('a large payload is shown cut to 64 KiB, as stored', async () => {
      const id = await seedDeadTask(h, { payload: { blob: 'x'.repeat(200_000) } });
      const page = await (await operator.get(`/admin/webhooks/tasks/${id}`)).text();
      expect(page).toContain('200,011 characters of JSON; the first 65,536 are shown, as stored.');
      expect(page.length).toBeLessThan(80_000);
    });
  });

  it('pages the audit trail newest first', async () => {
    await h.sql(
      `INSERT INTO audit_events (occurred_at, event, platform, installation_id, actor, detail)
       SELECT now() - make_interval(secs => n), 'token.used', 'slack', $1, 'slack-api', jsonb_build_object('n', n) FROM generate_series(1, 120) n`,
      [slackId],
    );
    const first = await (await operator.get(`/admin/installations/${slackId}`)).text();
    const older = /href="(\/admin\/installations\/[^"]+audit_after=[^"#]+)/.exec(first)?.[1].replace(/&amp;/g, '&') as string;
    expect(older).toBeDefined();
    const second = await (await operator.get(older)).text();
    const third = await (await operator.get(/href="(\/admin\/installations\/[^"]+audit_after=[^"#]+)/.exec(second)?.[1].replace(/&amp;/g, '&') as string)).text();
    const ns = (page: string) => [...page.matchAll(/\{&quot;n&quot;:(\d+)\}/g)].map((match) => Number(match[1]));
    const all = [...ns(first), ...ns(second), ...ns(third)];
    expect(all).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(third).not.toContain('Older events');
  });

  it('sign-out clears the cookie', async () => {
    const session = await signIn(h);
    const response = await session.post('/admin/logout');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/login?signed_out=1');
    expect(response.headers.getSetCookie().find((c) => c.startsWith('bot_admin_session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
  });
});

describe('operator console sign-in limits and https', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE: '3', BASE_URL: 'https://console.example.com' });
  }, 60_000);
  afterAll(() => h.close());

  it('rate-limits sign-in attempts per client, the right key included once over the limit', async () => {
    for (let i = 0; i < 3; i++) expect((await submitLogin(h, `wrong-key-attempt-${i}-0123456789`)).status).toBe(401);
    const limited = await submitLogin(h, TEST_ADMIN_API_KEY);
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Too many sign-in attempts');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    // The limit is the sign-in's own: installs are not affected by it.
    expect((await fetch(`${h.url}/oauth/install/slack`, { redirect: 'manual' })).status).toBe(302);
  });

  it('marks the cookies Secure when BASE_URL is https', async () => {
    const form = await fetch(`${h.url}/admin/login`);
    expect(form.headers.getSetCookie()[0]).toMatch(/; Secure/);
  });
});

const SENT_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

type ExpressLayer = { route?: { path: string | string[]; methods: Record<string, boolean> } };

/** Every [METHOD, path pattern] the service's Express router serves (Nest registers its routes there). */
function routesOf(h: OAuthServiceHarness): [string, string][] {
  const express = h.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack.flatMap((layer) => {
    const route = layer.route;
    if (!route) return [];
    const paths = Array.isArray(route.path) ? route.path : [route.path];
    // A catch-all route (`@All`) lists every method Node knows; the ones a browser or API client sends are enough.
    const methods = Object.keys(route.methods).map((method) => method.toUpperCase()).filter((method) => SENT_METHODS.has(method));
    return paths.flatMap((path) => methods.map((method): [string, string] => [method, path]));
  });
}
