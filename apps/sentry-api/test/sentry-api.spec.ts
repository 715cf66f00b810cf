import { FakeSentry } from '@bot/platform-sentry';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { scrapeMetrics } from '@bot/testing';
import { randomUUID } from 'node:crypto';
import { SentryApiModule } from '../src/sentry-api.module';

const REFRESH = 'POST /api/0/sentry-app-installations/:uuid/authorizations/';

describe('sentry-api: Sentry web API pass-through per installation', () => {
  let h: PassThroughHarness;
  let sentry: FakeSentry;

  beforeAll(async () => {
    h = await startPassThroughApp('sentry-api', (config) => SentryApiModule.forRoot(config));
    sentry = h.sandbox.sentry;
  });
  afterAll(() => h.close());

  /** A Sentry organization that installed the integration, and its installation row. */
  const installSentry = async (org = `org-${randomUUID().slice(0, 8)}`) => {
    const granted = sentry.grant(org);
    const row = await h.seed({
      platform: 'sentry',
      externalOrgId: org,
      externalOrgName: org,
      externalInstallId: granted.installation.uuid,
      accessToken: granted.token,
      refreshToken: granted.refreshToken,
      tokenExpiresAt: granted.expiresAt,
      metadata: { org_slug: org },
    });
    return { row, org, token: granted.token, uuid: granted.installation.uuid };
  };
  const orgCalls = (org: string) => sentry.calls.filter((call) => call.path.startsWith(`/api/0/organizations/${org}/`));
  /** `rel` → { url, results, cursor } of a Sentry Link header. */
  const links = (header: string | null) =>
    Object.fromEntries(
      (header ?? '').split(/,\s*(?=<)/).map((part) => {
        const [, url, rel, results, cursor] = /^<([^>]+)>; rel="(\w+)"; results="(true|false)"; cursor="([^"]+)"$/.exec(part.trim())!;
        return [rel, { url, results, cursor }];
      }),
    );

  it('lists issues page by page in the prefix form: Link URLs point back at sentry-api under /installations/{id}, results and cursor kept', async () => {
    const { row, org, token } = await installSentry();
    sentry.seedIssues(org, 247);
    const titles: string[] = [];
    const base = `${h.url}/installations/${row.id}`;
    let url: string | undefined = `${base}/api/0/organizations/${org}/issues/?query=is%3Aunresolved&per_page=100`;
    const pages: ReturnType<typeof links>[] = [];
    while (url) {
      // Only the service key: the installation is named by the path the previous Link gave.
      const response = await h.call(url.slice(h.url.length));
      expect(response.status).toBe(200);
      titles.push(...((await response.json()) as { title: string }[]).map((issue) => issue.title));
      const page = links(response.headers.get('link'));
      pages.push(page);
      url = page['next'].results === 'true' ? page['next'].url : undefined;
    }
    expect(titles).toHaveLength(250);
    expect(new Set(titles).size).toBe(250);
    expect(pages.map((page) => [page['previous'].results, page['next'].results])).toEqual([
      ['false', 'true'],
      ['true', 'true'],
      ['true', 'false'],
    ]);
    expect(pages[0]['next']).toEqual({ url: `${base}/api/0/organizations/${org}/issues/?query=is%3Aunresolved&per_page=100&cursor=0%3A100%3A0`, results: 'true', cursor: '0:100:0' });
    const seen = orgCalls(org).filter((call) => call.path.endsWith('/issues/'));
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
    expect(seen.map((call) => call.query['cursor'])).toEqual([undefined, '0:100:0', '0:200:0']);

    // The header form works too, and its links carry no prefix.
    const headerForm = await h.call(`/api/0/organizations/${org}/issues/?per_page=100`, { installationId: row.id });
    expect(links(headerForm.headers.get('link'))['next'].url).toBe(`${h.url}/api/0/organizations/${org}/issues/?per_page=100&cursor=0%3A100%3A0`);
  });

  it('forwards JSON bodies (resolving an issue) and passes Sentry\'s own refusals through', async () => {
    const { row, org } = await installSentry();
    const [issue] = sentry.org(org).issues;
    const resolved = await h.call(`/api/0/organizations/${org}/issues/${issue.id}/`, { installationId: row.id, method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved' }) });
    expect(await resolved.json()).toEqual({ status: 'resolved', statusDetails: {} });
    expect(issue.status).toBe('resolved');

    const other = await installSentry();
    const forbidden = await h.call(`/api/0/organizations/${other.org}/issues/`, { installationId: row.id });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('a 401 from Sentry refreshes once (rotating: the old token and refresh token are spent) and retries', async () => {
    const { row, org, token, uuid } = await installSentry();
    const oldRefresh = sentry.currentRefreshToken(uuid);
    sentry.expireToken(token);
    const before = sentry.callsTo(REFRESH).length;
    const metricsBefore = await scrapeMetrics(h.url);
    const response = await h.call(`/api/0/organizations/${org}/projects/`, { installationId: row.id });
    expect(response.status).toBe(200);
    const metricsAfter = await scrapeMetrics(h.url);
    const delta = (name: string, labels: Record<string, string>) => metricsAfter.value(name, labels) - metricsBefore.value(name, labels);
    expect(delta('bot_token_refreshes_total', { platform: 'sentry', outcome: 'ok' })).toBe(1);
    expect(delta('bot_upstream_requests_total', { app: 'sentry-api', platform: 'sentry', status: '401' })).toBe(1);
    expect(delta('bot_upstream_requests_total', { app: 'sentry-api', platform: 'sentry', status: '200' })).toBe(1);
    expect(delta('bot_upstream_token_retries_total', { platform: 'sentry' })).toBe(1);
    const refreshes = sentry.callsTo(REFRESH).slice(before);
    expect(refreshes.map((call) => call.body)).toEqual([{ client_id: 'sandbox-sentry-client', client_secret: 'sandbox-sentry-client-secret', grant_type: 'refresh_token', refresh_token: oldRefresh }]);
    expect(sentry.currentRefreshToken(uuid)).not.toBe(oldRefresh);
    const used = orgCalls(org).map((call) => call.headers['authorization']);
    expect(used).toEqual([`Bearer ${token}`, expect.not.stringContaining(token)]);
    const [stored] = await h.sql(`SELECT access_token, refresh_token, token_expires_at FROM installations WHERE id = $1`, [row.id]);
    expect(stored['refresh_token']).toMatch(/^enc:v1:/);
    expect(new Date(stored['token_expires_at'] as string).getTime()).toBeGreaterThan(Date.now() + 7 * 3600_000);
  });

  it('uninstalled in Sentry: the refresh is refused, the installation needs a new install (409), nothing more is forwarded', async () => {
    const { row, org, uuid } = await installSentry();
    await sentry.uninstall(uuid);
    const response = await h.call(`/api/0/organizations/${org}/issues/`, { installationId: row.id });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/needs to be installed again: Sentry token refresh failed with HTTP 404/), code: 'installation_needs_reinstall' });
    expect(await h.sql(`SELECT status, status_reason FROM installations WHERE id = $1`, [row.id])).toEqual([
      { status: 'needs_reinstall', status_reason: expect.stringMatching(/\(invalid_grant\)$/) },
    ]);
    const calls = orgCalls(org).length;
    expect((await h.call(`/api/0/organizations/${org}/issues/`, { installationId: row.id })).status).toBe(409);
    expect(orgCalls(org)).toHaveLength(calls);
  });

  it('answers its own refusals in Sentry\'s shape ({ detail } plus code) and forwards only /api/0/...', async () => {
    const { row, org } = await installSentry();
    const before = sentry.calls.length;
    const expectRefusal = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ detail: expect.any(String), code });
    };
    await expectRefusal(await fetch(`${h.url}/api/0/organizations/${org}/issues/`, { headers: { 'x-installation-id': row.id } }), 401, 'service_key_required');
    await expectRefusal(await fetch(`${h.url}/api/0/organizations/${org}/issues/`, { headers: { 'x-installation-id': row.id, authorization: 'Bearer not-the-service-key-000' } }), 401, 'invalid_service_key');
    await expectRefusal(await h.call(`/installations/${row.id}/api/0/organizations/${org}/issues/`, { installationId: randomUUID() }), 400, 'installation_id_conflict');
    await expectRefusal(await h.call(`/api/0/organizations/${org}/issues/`), 400, 'installation_id_required');
    await expectRefusal(await h.call(`/api/0/organizations/${org}/issues/`, { installationId: randomUUID() }), 404, 'installation_not_found');
    await expectRefusal(await h.call('/api/1/whatever', { installationId: row.id }), 404, 'not_forwarded');
    await expectRefusal(await h.call('/api/0/organizations/%252e%252e/issues/', { installationId: row.id }), 400, 'invalid_path');
    const slack = await h.seed({ platform: 'slack', externalOrgId: 'T0NOTSENTRY', externalInstallId: null });
    await expectRefusal(await h.call(`/api/0/organizations/${org}/issues/`, { installationId: slack.id }), 400, 'installation_platform_mismatch');
    const revoked = await installSentry();
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now() WHERE id = $1`, [revoked.row.id]);
    await expectRefusal(await h.call(`/api/0/organizations/${revoked.org}/issues/`, { installationId: revoked.row.id }), 410, 'installation_revoked');
    expect(sentry.calls.length).toBe(before);
  });
});
