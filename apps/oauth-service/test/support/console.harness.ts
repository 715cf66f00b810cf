import { TEST_ADMIN_API_KEY } from '@bot/testing';
import { OAuthServiceHarness } from './oauth-service.harness';

/** A signed-in console client over plain HTTP: keeps the session cookie and reads CSRF tokens from pages. */
export interface ConsoleClient {
  /** GET a console path (no redirects followed). */
  get(path: string): Promise<Response>;
  /** POST a form with this session's CSRF token (unless `csrf` is given, or null for none). */
  post(path: string, fields?: Record<string, string>, csrf?: string | null): Promise<Response>;
  csrf: string;
  cookie: string;
}

/** Reads the value of an `<input name="…">` from a page. */
export function inputValue(page: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
}

/** The cookies a response sets, as `name=value` pairs. */
export function setCookies(response: Response): Record<string, string> {
  return Object.fromEntries(
    response.headers.getSetCookie().map((cookie) => {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      return [pair.slice(0, index), pair.slice(index + 1)];
    }),
  );
}

/** Opens the sign-in form and posts `key` with the form's own token and cookie. */
export async function submitLogin(h: OAuthServiceHarness, key: string, next?: string): Promise<Response> {
  const form = await fetch(`${h.url}/admin/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  const page = await form.text();
  const loginCookie = setCookies(form)['bot_admin_login'];
  return fetch(`${h.url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `bot_admin_login=${loginCookie}` },
    body: new URLSearchParams({ key, _csrf: inputValue(page, '_csrf') ?? '', next: inputValue(page, 'next') ?? '' }),
  });
}

/** Signs in with the admin key and returns a client holding the session. */
export async function signIn(h: OAuthServiceHarness): Promise<ConsoleClient> {
  const response = await submitLogin(h, TEST_ADMIN_API_KEY);
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const cookie = `bot_admin_session=${setCookies(response)['bot_admin_session']}`;
  const home = await (await fetch(`${h.url}/admin/installations`, { headers: { cookie } })).text();
  const csrf = inputValue(home, '_csrf');
  if (!csrf) throw new Error('no CSRF token on the console page');
  return {
    csrf,
    cookie,
    get: (path) => fetch(`${h.url}${path}`, { headers: { cookie }, redirect: 'manual' }),
    post: (path, fields = {}, token = csrf) =>
      fetch(`${h.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(token === null ? fields : { ...fields, _csrf: token }),
      }),
  };
}

/** Inserts `count` installations straight into the table (no tokens), spread over platforms and statuses. */
export async function seedInstallations(h: OAuthServiceHarness, count: number, prefix = 'seeded'): Promise<void> {
  await h.sql(
    `INSERT INTO installations (platform, status, status_reason, external_org_id, external_org_name, installed_by, revoked_at, created_at, updated_at)
     SELECT (ARRAY['github','slack','jira'])[1 + n % 3],
            s.status,
            CASE s.status WHEN 'needs_reinstall' THEN 'invalid_grant: refresh token revoked' WHEN 'suspended' THEN 'suspended on GitHub' END,
            $2 || '-id-' || n, $2 || '-org-' || lpad(n::text, 4, '0'), 'user' || n,
            CASE s.status WHEN 'revoked' THEN now() END,
            now() - make_interval(mins => n), now() - make_interval(mins => n)
     FROM generate_series(1, $1) AS n
     CROSS JOIN LATERAL (SELECT CASE WHEN n % 10 = 0 THEN 'needs_reinstall' WHEN n % 10 = 1 THEN 'revoked' WHEN n % 17 = 0 THEN 'suspended' ELSE 'active' END AS status) s`,
    [count, prefix],
  );
}

/** Inserts a dead webhook task and returns its id. */
export async function seedDeadTask(h: OAuthServiceHarness, values: { installationId?: string | null; queue?: string; eventType?: string; payload?: unknown } = {}): Promise<string> {
  const queue = values.queue ?? 'github';
  const [row] = await h.sql<{ id: string }>(
    `INSERT INTO webhook_tasks (queue, platform, installation_id, event_type, action, delivery_id, payload, received_at, status, attempts, max_attempts, last_error)
     VALUES ($1, $1, $2, $3, 'opened', gen_random_uuid()::text, $4::json, now() - interval '2 hours', 'dead', 10, 10, 'handler failed: upstream answered 500')
     RETURNING id::text AS id`,
    [queue, values.installationId ?? null, values.eventType ?? 'issues', JSON.stringify(values.payload ?? { action: 'opened', issue: { number: 7, title: 'Crash on start' } })],
  );
  return row.id;
}
