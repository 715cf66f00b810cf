import { jiraSite } from '@bot/platform-jira';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { LogCapture, MetricsSnapshot, scrapeMetrics } from '@bot/testing';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { JiraApiModule } from '../src/jira-api.module';

describe('jira-api: pass-through and token metrics, request log', () => {
  let h: PassThroughHarness;
  const log = new LogCapture();

  beforeAll(async () => {
    h = await startPassThroughApp('jira-api', (config) => JiraApiModule.forRoot(config), { env: { PROXY_BODY_LIMIT: '8kb' }, logDestination: log });
  });
  afterAll(() => h.close());

  const installJira = async (tokenExpiresAt = new Date(Date.now() + 3600_000)) => {
    const grant = h.sandbox.atlassian.grant([jiraSite(`site-${randomUUID().slice(0, 8)}`)]);
    const site = grant.sites[0];
    const row = await h.seed({
      platform: 'jira',
      externalOrgId: site.id,
      externalOrgName: site.name,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      tokenExpiresAt,
      oauthGrantId: randomUUID(),
      metadata: { url: site.url },
    });
    return { row, grant };
  };
  const delta = (before: MetricsSnapshot, after: MetricsSnapshot, name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('a first call misses the token cache and a second hits it; upstream calls are counted by platform and status', async () => {
    const { row } = await installJira();
    const before = await scrapeMetrics(h.url);
    expect((await h.call('/rest/api/3/myself', { installationId: row.id })).status).toBe(200);
    expect((await h.call('/rest/api/3/myself', { installationId: row.id })).status).toBe(200);
    const after = await scrapeMetrics(h.url);
    expect(delta(before, after, 'bot_token_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(delta(before, after, 'bot_token_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(delta(before, after, 'bot_upstream_requests_total', { app: 'jira-api', platform: 'jira', status: '200' })).toBe(2);
    expect(delta(before, after, 'bot_upstream_request_duration_seconds_count', { platform: 'jira' })).toBe(2);
  });

  it('an upstream 401 → one refresh (ok), one retry, the lock wait observed', async () => {
    const { row, grant } = await installJira();
    h.sandbox.atlassian.expireToken(grant.accessToken);
    const before = await scrapeMetrics(h.url);
    expect((await h.call('/rest/api/3/myself', { installationId: row.id })).status).toBe(200);
    const after = await scrapeMetrics(h.url);
    expect(delta(before, after, 'bot_token_refreshes_total', { platform: 'jira', outcome: 'ok' })).toBe(1);
    expect(delta(before, after, 'bot_upstream_token_retries_total', { platform: 'jira' })).toBe(1);
    expect(delta(before, after, 'bot_upstream_requests_total', { platform: 'jira', status: '401' })).toBe(1);
    expect(delta(before, after, 'bot_upstream_requests_total', { platform: 'jira', status: '200' })).toBe(1);
    expect(delta(before, after, 'bot_token_refresh_lock_wait_seconds_count', { platform: 'jira' })).toBe(1);
  });

  it('a revoked grant counts a revoked refresh; the 409 is logged at info with installation, platform and reason', async () => {
    const { row, grant } = await installJira();
    h.sandbox.atlassian.revokeGrant(grant.refreshToken);
    const before = await scrapeMetrics(h.url);
    const response = await h.call('/rest/api/3/myself', { installationId: row.id });
    expect(response.status).toBe(409);
    const after = await scrapeMetrics(h.url);
    expect(delta(before, after, 'bot_token_refreshes_total', { platform: 'jira', outcome: 'revoked' })).toBe(1);
    await settle();
    expect(log.find({ reqId: response.headers.get('x-request-id') })).toEqual([
      expect.objectContaining({ level: 'info', status: 409, platform: 'jira', installationId: row.id, reason: expect.stringContaining('installation_needs_reinstall') }),
    ]);
  });

  it('a refresh the platform fails with 503 three times counts one transient failure', async () => {
    const { row } = await installJira(new Date(Date.now() + 60_000));
    h.sandbox.atlassian.failNext('POST /oauth/token', { status: 503 }, 3);
    const before = await scrapeMetrics(h.url);
    // The token still works for a minute, so the call is served with it after the failed early refresh.
    expect((await h.call('/rest/api/3/myself', { installationId: row.id })).status).toBe(200);
    const after = await scrapeMetrics(h.url);
    expect(delta(before, after, 'bot_token_refreshes_total', { platform: 'jira', outcome: 'transient_failure' })).toBe(1);
    expect(delta(before, after, 'bot_token_refreshes_total', { platform: 'jira', outcome: 'ok' })).toBe(0);
  });

  it('counts bodies refused over PROXY_BODY_LIMIT, declared or streamed', async () => {
    const { row } = await installJira();
    const before = await scrapeMetrics(h.url);
    const declared = await h.call('/rest/api/3/issue', { installationId: row.id, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(10_000) }) });
    expect(declared.status).toBe(413);
    const streamed = await h.call('/rest/api/3/issue', {
      installationId: row.id,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode('y'.repeat(20_000))), controller.close()) }),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(streamed.status).toBe(413);
    const after = await scrapeMetrics(h.url);
    expect(delta(before, after, 'bot_pass_through_body_limit_refusals_total', { platform: 'jira' })).toBe(2);
  });

  it("a platform's 5xx is relayed and logged as the platform's failure (warn), not ours", async () => {
    const { row } = await installJira();
    h.sandbox.atlassian.failNext('GET /ex/jira/:cloudId/rest/api/3/myself', { status: 500 });
    const response = await h.call('/rest/api/3/myself', { installationId: row.id });
    expect(response.status).toBe(500);
    await settle();
    expect(log.find({ reqId: response.headers.get('x-request-id') })).toEqual([expect.objectContaining({ level: 'warn', msg: 'request failed upstream', status: 500 })]);
  });

  it('a caller hanging up mid-body is logged at info, with no error line', async () => {
    const { row } = await installJira();
    const mark = log.raw.length;
    await new Promise<void>((resolve) => {
      const { port } = new URL(h.url);
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/rest/api/3/issue', headers: { authorization: `Bearer ${h.config.serviceApiKey}`, 'x-installation-id': row.id, 'content-length': '5000', 'content-type': 'application/json' } });
      req.on('error', () => resolve());
      req.write('{"fields": ');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 150);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = log.lines().slice(mark);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', route: expect.any(String), aborted: true, installationId: row.id }));
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
