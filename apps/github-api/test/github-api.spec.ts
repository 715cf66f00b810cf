import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { scrapeMetrics, TEST_SERVICE_API_KEY } from '@bot/testing';
import { TokenUsageRecorder } from '@bot/tokens';
import { Octokit } from '@octokit/rest';
import { createHash, randomBytes } from 'node:crypto';
import { IncomingMessage, request, Server } from 'node:http';
import { Readable } from 'node:stream';
import { GitHubApiModule } from '../src/github-api.module';
import { installGitHubAccount } from './support/github-installation';

/** A raw HTTP/1.1 request, so request targets fetch() would normalise reach the app as written. */
function rawRequest(base: string, target: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('github-api: GitHub REST pass-through per installation', () => {
  let h: PassThroughHarness;

  beforeAll(async () => {
    h = await startPassThroughApp('github-api', (config) => GitHubApiModule.forRoot(config), { env: { PROXY_BODY_LIMIT: '8mb' } });
    (h.app.getHttpServer() as Server).on('request', (req: IncomingMessage) => received.push(req.url ?? ''));
  });
  afterAll(() => h.close());

  const installGitHub = (login: string) => installGitHubAccount(h, login);
  /** The prefix form: Octokit configured only by its base URL and the service key (no hooks, no headers). */
  const octokitFor = (installationId: string, auth = TEST_SERVICE_API_KEY) => new Octokit({ baseUrl: `${h.url}/installations/${installationId}`, auth });
  /** Requests github-api itself received whose URL contains `part`. */
  const received: string[] = [];
  const receivedFor = (part: string) => received.filter((url) => url.includes(part)).length;
  const upstreamCalls = (pathPart: string) => h.sandbox.github.calls.filter((call) => call.path.includes(pathPart));

  it('Octokit with baseUrl /installations/{id}: paginate reaches every page with the installation token; Link headers keep the prefix', async () => {
    const { row, token } = await installGitHub('octo-paginate');
    h.sandbox.github.seedIssues('octo-paginate', 'demo', 45);
    const octokit = octokitFor(row.id);
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { owner: 'octo-paginate', repo: 'demo', per_page: 10 });
    expect(issues).toHaveLength(45);
    const calls = upstreamCalls('/repos/octo-paginate/demo/issues');
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
    expect(calls[0].headers['authorization']).not.toContain(TEST_SERVICE_API_KEY);
    expect(receivedFor(`/installations/${row.id}/repos/octo-paginate/demo/issues`)).toBe(5);

    const page = await h.call(`/installations/${row.id}/repos/octo-paginate/demo/issues?per_page=10&page=2`);
    const link = page.headers.get('link') as string;
    expect(link).toContain(`<${h.url}/installations/${row.id}/repos/octo-paginate/demo/issues?per_page=10&page=3>; rel="next"`);
    expect(link).not.toContain(h.sandbox.github.url);
    expect(page.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);

    // The header form still works; its links carry no prefix (the caller keeps sending the header).
    const headerPage = await h.call('/repos/octo-paginate/demo/issues?per_page=10&page=2', { installationId: row.id });
    expect(headerPage.headers.get('link')).toContain(`<${h.url}/repos/octo-paginate/demo/issues?per_page=10&page=3>; rel="next"`);
    // Without TRUST_PROXY a caller's X-Forwarded-Host does not decide where the links point.
    const spoofed = await h.call(`/installations/${row.id}/repos/octo-paginate/demo/issues?per_page=10&page=2`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers.get('link')).not.toContain('evil.example');
  });

  it('Octokit: an unknown or revoked installation fails at once with a RequestError in GitHub shape, after one request', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000aa';
    await expect(octokitFor(unknown).rest.repos.get({ owner: 'o', repo: 'r' })).rejects.toMatchObject({
      name: 'HttpError',
      status: 404,
      message: expect.stringContaining(unknown),
      response: { data: { message: expect.stringContaining(unknown), documentation_url: `${h.url}/docs`, status: '404', code: 'installation_not_found' } },
    });
    expect(receivedFor(unknown)).toBe(1);

    const { row } = await installGitHub('octo-gone');
    const octokit = octokitFor(row.id);
    expect((await octokit.rest.repos.get({ owner: 'octo-gone', repo: 'demo' })).status).toBe(200);
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL WHERE id = $1`, [row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [row.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = h.sandbox.github.calls.length;
    await expect(octokit.rest.repos.get({ owner: 'octo-gone', repo: 'demo' })).rejects.toMatchObject({
      status: 410,
      response: { data: { code: 'installation_revoked', message: expect.stringContaining('revoked') } },
    });
    expect(h.sandbox.github.calls.length).toBe(before);
    await expect(octokitFor(row.id, 'wrong-key-0123456789abcdef').rest.repos.get({ owner: 'o', repo: 'r' })).rejects.toMatchObject({
      status: 401,
      response: { data: { code: 'invalid_service_key' } },
    });
  });

  it('Octokit with the prefix: creates an issue and comments on it; defaults Accept and X-GitHub-Api-Version when the caller sends none', async () => {
    const { row } = await installGitHub('octo-write');
    const octokit = octokitFor(row.id);
    const { data: issue, status } = await octokit.rest.issues.create({ owner: 'octo-write', repo: 'demo', title: 'Through the pass-through', body: 'created by a test' });
    expect(status).toBe(201);
    const { data: comment } = await octokit.rest.issues.createComment({ owner: 'octo-write', repo: 'demo', issue_number: issue.number, body: 'a comment' });
    expect(comment.body).toBe('a comment');
    expect((await octokit.rest.issues.get({ owner: 'octo-write', repo: 'demo', issue_number: issue.number })).data.title).toBe('Through the pass-through');

    await h.call('/repos/octo-write/demo', { installationId: row.id, headers: { accept: '' } });
    const bare = upstreamCalls('/repos/octo-write/demo').at(-1)!;
    expect(bare.headers['x-github-api-version']).toBe('2022-11-28');
    expect(bare.headers['user-agent']).toBeTruthy();
  });

  it('two installations interleaved: each request reaches GitHub with its own installation token', async () => {
    const a = await installGitHub('octo-a');
    const b = await installGitHub('octo-b');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const who = i % 2 ? b : a;
        return h.call(`/repos/${who.installation.account.login}/demo`, { installationId: who.row.id });
      }),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    for (const who of [a, b]) {
      const calls = upstreamCalls(`/repos/${who.installation.account.login}/demo`);
      expect(calls).toHaveLength(10);
      expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${who.token}`]));
    }
    // Installation A cannot see B's repository: GitHub's own 404 passes through.
    expect((await h.call('/repos/octo-b/demo', { installationId: a.row.id })).status).toBe(404);
  });

  it('an upstream 401 triggers one forced refresh (a newly minted token) and one retry', async () => {
    const { installation, row, token } = await installGitHub('octo-expired');
    h.sandbox.github.expireToken(token);
    const mintsBefore = h.sandbox.github.callsTo('POST /app/installations/:id/access_tokens').length;
    const response = await h.call('/repos/octo-expired/demo', { installationId: row.id });
    expect(response.status).toBe(200);
    expect(h.sandbox.github.callsTo('POST /app/installations/:id/access_tokens').length - mintsBefore).toBe(1);
    const calls = upstreamCalls('/repos/octo-expired/demo');
    expect(calls.map((call) => call.headers['authorization'])).toEqual([`Bearer ${token}`, expect.stringMatching(/^Bearer ghs_/)]);
    const fresh = calls[1].headers['authorization'].slice('Bearer '.length);
    expect(fresh).not.toBe(token);
    expect(h.sandbox.github.tokens.get(fresh)).toBe(installation.id);
  });

  it('upstream status codes, Retry-After and rate-limit headers pass through', async () => {
    const { row } = await installGitHub('octo-limited');
    h.sandbox.github.failNext('GET /repos/:owner/:repo', { status: 429, headers: { 'retry-after': '7', 'x-ratelimit-remaining': '0' }, body: { message: 'You have exceeded a secondary rate limit' } });
    const response = await h.call('/repos/octo-limited/demo', { installationId: row.id });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await response.json()).toMatchObject({ message: 'You have exceeded a secondary rate limit' });
  });

  it('streams large bodies both ways', async () => {
    const { row } = await installGitHub('octo-stream');
    const upload = randomBytes(5 * 1024 * 1024);
    const chunks = Readable.from((function* () {
      for (let offset = 0; offset < upload.length; offset += 256 * 1024) yield upload.subarray(offset, offset + 256 * 1024);
    })());
    const echoed = await fetch(`${h.url}/fake/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': row.id, 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(chunks) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(echoed.status).toBe(200);
    const back = Buffer.from(await echoed.arrayBuffer());
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(upload).digest('hex'));

    const large = await h.call('/fake/large?bytes=20971520', { installationId: row.id });
    expect(large.status).toBe(200);
    expect((await large.arrayBuffer()).byteLength).toBe(20 * 1024 * 1024);
  });

  it('refuses bad input with a clear 4xx and forwards nothing', async () => {
    const { row } = await installGitHub('octo-guarded');
    const before = h.sandbox.github.calls.length;
    const noKey = await fetch(`${h.url}/repos/octo-guarded/demo`, { headers: { 'x-installation-id': row.id } });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ code: 'service_key_required', message: expect.stringContaining('SERVICE_API_KEY'), documentation_url: expect.any(String) });
    expect((await fetch(`${h.url}/repos/octo-guarded/demo`, { headers: { authorization: 'Bearer wrong-key-0123456789', 'x-installation-id': row.id } })).status).toBe(401);
    const malformed = await h.call('/repos/octo-guarded/demo', { installationId: 'not-a-uuid' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'invalid_installation_id' });
    const malformedPrefix = await h.call('/installations/not-a-uuid/repos/octo-guarded/demo');
    expect(malformedPrefix.status).toBe(400);
    expect(await malformedPrefix.json()).toMatchObject({ code: 'invalid_installation_id' });
    const conflict = await h.call(`/installations/${row.id}/repos/octo-guarded/demo`, { installationId: '00000000-0000-4000-8000-000000000000' });
    expect(conflict.status).toBe(400);
    expect(await conflict.json()).toMatchObject({ code: 'installation_id_conflict', message: expect.stringContaining('different installations') });
    const unknown = await h.call('/repos/octo-guarded/demo', { installationId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'installation_not_found', message: expect.stringContaining('00000000-0000-4000-8000-000000000000') });
    const slack = await h.seed({ platform: 'slack', externalInstallId: null, accessToken: 'xoxb-1-other-platform', tokenExpiresAt: null });
    const otherPlatform = await h.call('/repos/octo-guarded/demo', { installationId: slack.id });
    expect(otherPlatform.status).toBe(400);
    expect(await otherPlatform.json()).toMatchObject({ code: 'installation_platform_mismatch' });
    const noHeader = await h.call('/repos/octo-guarded/demo');
    expect(noHeader.status).toBe(400);
    expect(await noHeader.json()).toMatchObject({ code: 'installation_id_required' });

    const auth = { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': row.id };
    for (const target of [
      '//evil.example/repos',
      'http://evil.example/repos/octo-guarded/demo',
      '/repos/%2e%2e/%2e%2e/evil',
      '/repos/octo-guarded/demo/..%2F..%2Fadmin',
      '/repos/octo-guarded/demo%5c..%5c..%5cadmin',
      '/repos/octo-guarded/demo\\..\\admin',
      `/installations/${row.id}/repos/octo-guarded/demo/%5C`,
    ]) {
      const response = await rawRequest(h.url, target, auth);
      expect({ target, status: response.status }).toEqual({ target, status: 400 });
      expect(JSON.parse(response.body)).toMatchObject({ code: 'invalid_path' });
    }
    const oversized = await h.call('/fake/echo', { installationId: row.id, method: 'POST', body: Buffer.alloc(9 * 1024 * 1024) });
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ code: 'body_too_large' });
    expect(h.sandbox.github.calls.length).toBe(before);
  });

  it('forwards below Nest\'s router while /health and /docs stay with Nest', async () => {
    // The mount replaces Express's entry point (the request observer in front of the server calls it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const expressHandle = require('express/lib/application').handle;
    expect(h.app.getHttpAdapter().getInstance().handle).not.toBe(expressHandle);
    const { row } = await installGitHub('octo-mounted');
    const before = await scrapeMetrics(h.url);
    expect((await h.call('/repos/octo-mounted/demo', { installationId: row.id })).status).toBe(200);
    expect((await h.call(`/installations/${row.id}/repos/octo-mounted/demo`)).status).toBe(200);
    // Still observed, under the route patterns Express would have named.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await scrapeMetrics(h.url);
    const served = (route: string) => after.value('bot_http_requests_total', { route, status_class: '2xx' }) - before.value('bot_http_requests_total', { route, status_class: '2xx' });
    expect([served('/{*path}'), served('/installations/:installationId/{*path}')]).toEqual([1, 1]);
    expect(await (await fetch(`${h.url}/health`)).json()).toMatchObject({ status: 'ok', service: 'github-api' });
    expect(await (await fetch(`${h.url}/docs/openapi.json`)).json()).toMatchObject({ paths: expect.objectContaining({ '/installations/{installationId}/{path}': expect.anything() }) });
  });

  it('records every token use as an audit event without the token; GitHub-style error bodies; /health stays local', async () => {
    const { row, token } = await installGitHub('octo-audited');
    await h.call('/repos/octo-audited/demo?secret=query-is-not-kept', { installationId: row.id });
    await h.app.get(TokenUsageRecorder).flush();
    const events = await h.sql<{ actor: string; detail: Record<string, unknown> }>(`SELECT actor, detail FROM audit_events WHERE installation_id = $1 AND event = 'token.used'`, [row.id]);
    expect(events).toEqual([{ actor: 'github-api', detail: { method: 'GET', path: '/repos/octo-audited/demo', status: 200 } }]);
    expect(JSON.stringify(events)).not.toContain(token);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});

describe('github-api: Link URLs from GITHUB_API_PUBLIC_URL, never from caller headers', () => {
  let h: PassThroughHarness;
  beforeAll(async () => {
    h = await startPassThroughApp('github-api', (config) => GitHubApiModule.forRoot(config), { env: { GITHUB_API_PUBLIC_URL: 'https://github-api.example.test/gh' } });
  });
  afterAll(() => h.close());

  it('rewrites pagination links to the configured public URL with the installation prefix', async () => {
    const installation = h.sandbox.github.install('octo-public');
    const minted = h.sandbox.github.mintToken(installation.id);
    const row = await h.seed({ platform: 'github', externalOrgId: String(installation.account.id), externalInstallId: String(installation.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) });
    h.sandbox.github.seedIssues('octo-public', 'demo', 3);
    const page = await h.call(`/installations/${row.id}/repos/octo-public/demo/issues?per_page=1`, { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('link')).toContain(`<https://github-api.example.test/gh/installations/${row.id}/repos/octo-public/demo/issues?per_page=1&page=2>; rel="next"`);
    expect(page.headers.get('link')).not.toContain('evil.example');
  });
});

describe('github-api: legacy GITHUB_TOKEN for requests without an installation', () => {
  let h: PassThroughHarness;
  beforeAll(async () => {
    h = await startPassThroughApp('github-api', (config) => GitHubApiModule.forRoot(config), { env: { GITHUB_TOKEN: 'ghp_legacy_single_org_token' } });
  });
  afterAll(() => h.close());

  it('forwards with the legacy token when no X-Installation-Id is sent', async () => {
    const response = await h.call('/repos/anyone/demo');
    expect(response.status).toBe(401); // the fake does not know the legacy token, and says so
    expect(h.sandbox.github.calls.at(-1)!.headers['authorization']).toBe('Bearer ghp_legacy_single_org_token');
  });
});
