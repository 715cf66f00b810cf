import { FakeJiraSite, JIRA_SANDBOX_PROJECT } from '@bot/platform-jira';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { TEST_SERVICE_API_KEY } from '@bot/testing';
import { Version3Client } from 'jira.js';
import type { IncomingMessage, Server } from 'node:http';
import { JiraApiModule } from '../src/jira-api.module';
import { installJiraSite } from './support/jira-installation';

describe('jira-api: Jira Cloud REST pass-through per installation', () => {
  let h: PassThroughHarness;

  beforeAll(async () => {
    h = await startPassThroughApp('jira-api', (config) => JiraApiModule.forRoot(config));
    (h.app.getHttpServer() as Server).on('request', (req: IncomingMessage) => received.push(req.url ?? ''));
  });
  afterAll(() => h.close());

  const installJira = () => installJiraSite(h);
  /** The prefix form: jira.js configured only by its host and the service key. */
  const clientFor = (installationId: string, key = TEST_SERVICE_API_KEY) => new Version3Client({ host: `${h.url}/installations/${installationId}`, authentication: { oauth2: { accessToken: key } } });
  /** The header form, still supported. */
  const headerClientFor = (installationId: string) =>
    new Version3Client({ host: h.url, authentication: { oauth2: { accessToken: TEST_SERVICE_API_KEY } }, baseRequestConfig: { headers: { 'X-Installation-Id': installationId } } });
  /** Requests jira-api itself received whose URL contains `part`. */
  const received: string[] = [];
  const receivedFor = (part: string) => received.filter((url) => url.includes(part)).length;
  const siteCalls = (site: FakeJiraSite) => h.sandbox.atlassian.calls.filter((call) => call.path.startsWith(`/ex/jira/${site.id}/rest/`));

  it('jira.js Version3Client with host /installations/{id}: create an issue, get it, comment on it and find it with JQL, on the installation\'s own site', async () => {
    const { row, site, token } = await installJira();
    const client = clientFor(row.id);
    const created = await client.issues.createIssue({ fields: { project: { key: JIRA_SANDBOX_PROJECT.key }, summary: 'Created through jira-api', issuetype: { name: 'Task' } } });
    expect(created.key).toMatch(new RegExp(`^${JIRA_SANDBOX_PROJECT.key}-\\d+$`));
    const issue = await client.issues.getIssue({ issueIdOrKey: created.key });
    expect(issue.fields.summary).toBe('Created through jira-api');
    const comment = await client.issueComments.addComment({
      issueIdOrKey: created.key,
      comment: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a comment' }] }] },
    });
    expect(comment.id).toBeTruthy();
    const found = await client.issueSearch.searchForIssuesUsingJql({ jql: `project = ${JIRA_SANDBOX_PROJECT.key}` });
    expect(found.issues?.map((i) => i.key)).toContain(created.key);
    const posted = await client.issueSearch.searchForIssuesUsingJqlPost({ jql: 'summary ~ "jira-api"' });
    expect(posted.issues?.map((i) => i.key)).toEqual([created.key]);

    const calls = siteCalls(site);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
  });

  it('jira.js: paginates a JQL search page by page (startAt/maxResults) through the prefix; the header form still works', async () => {
    const { row, site } = await installJira();
    const client = clientFor(row.id);
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      keys.push((await client.issues.createIssue({ fields: { project: { key: JIRA_SANDBOX_PROJECT.key }, summary: `page me ${i}`, issuetype: { name: 'Task' } } })).key);
    }
    const seen: string[] = [];
    let pages = 0;
    for (let startAt = 0; ; startAt += 2) {
      const page = await client.issueSearch.searchForIssuesUsingJql({ jql: 'summary ~ "page me"', startAt, maxResults: 2 });
      pages++;
      seen.push(...(page.issues ?? []).map((issue) => issue.key));
      if (startAt + 2 >= (page.total ?? 0)) break;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...keys].sort());
    expect(siteCalls(site).filter((call) => call.path.endsWith('/rest/api/3/search'))).toHaveLength(3);
    expect((await headerClientFor(row.id).issues.getIssue({ issueIdOrKey: keys[0] })).key).toBe(keys[0]);
  });

  it('jira.js: an unknown or revoked installation fails at once with its HttpException carrying the Jira-shaped body, after one request', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000bb';
    await expect(clientFor(unknown).myself.getCurrentUser()).rejects.toMatchObject({
      name: 'HttpException',
      status: 404,
      response: { data: { errorMessages: [expect.stringContaining(unknown)], errors: {}, code: 'installation_not_found' } },
    });
    expect(receivedFor(unknown)).toBe(1);

    const { row } = await installJira();
    const client = clientFor(row.id);
    await expect(client.myself.getCurrentUser()).resolves.toBeDefined();
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL, refresh_token = NULL WHERE id = $1`, [row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [row.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = h.sandbox.atlassian.calls.length;
    await expect(client.myself.getCurrentUser()).rejects.toMatchObject({ status: 410, response: { data: { code: 'installation_revoked', errors: {} } } });
    await expect(clientFor(row.id, 'wrong-key-0123456789abcdef').myself.getCurrentUser()).rejects.toMatchObject({ status: 401, response: { data: { code: 'invalid_service_key' } } });
    expect(h.sandbox.atlassian.calls.length).toBe(before);
  });

  it('two sites interleaved: each call goes to its own cloud id with its own token', async () => {
    const a = await installJira();
    const b = await installJira();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => h.call('/rest/api/3/myself', { installationId: (i % 2 ? b : a).row.id })));
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(200));
    for (const who of [a, b]) {
      const calls = siteCalls(who.site).filter((call) => call.path.endsWith('/myself'));
      expect(calls).toHaveLength(6);
      expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${who.token}`]));
    }
  });

  it('an upstream 401 refreshes the grant once (rotating the refresh token) and retries', async () => {
    const { row, site, token } = await installJira();
    h.sandbox.atlassian.expireToken(token);
    const before = h.sandbox.atlassian.callsTo('POST /oauth/token').length;
    const response = await h.call('/rest/api/3/myself', { installationId: row.id });
    expect(response.status).toBe(200);
    expect(h.sandbox.atlassian.callsTo('POST /oauth/token').length - before).toBe(1);
    const used = siteCalls(site).map((call) => call.headers['authorization']);
    expect(used[0]).toBe(`Bearer ${token}`);
    expect(used[1]).not.toBe(`Bearer ${token}`);
    const [stored] = await h.sql<{ refresh_token: string }>(`SELECT refresh_token FROM installations WHERE id = $1`, [row.id]);
    expect(stored.refresh_token).toMatch(/^enc:v1:/);
  });

  it('forwards only /rest/… and answers its refusals in Jira shape', async () => {
    const { row } = await installJira();
    const before = h.sandbox.atlassian.calls.length;
    const wiki = await h.call(`/installations/${row.id}/wiki/api/v2/pages`);
    expect(wiki.status).toBe(404);
    expect(await wiki.json()).toEqual({ errorMessages: [expect.stringContaining('does not forward')], errors: {}, code: 'not_forwarded' });
    const escape = await h.call('/rest/api/3/..%2F..%2F..%2Fother-cloud/rest/api/3/myself', { installationId: row.id });
    expect(escape.status).toBe(400);
    expect(await escape.json()).toMatchObject({ errorMessages: [expect.stringContaining('path')], code: 'invalid_path' });
    const backslash = await h.call(`/installations/${row.id}/rest/api/3/%5C..%5Cother-cloud`);
    expect(backslash.status).toBe(400);
    expect(await backslash.json()).toMatchObject({ code: 'invalid_path' });
    await h.sql(`UPDATE installations SET status = 'needs_reinstall', status_reason = 'Atlassian refresh failed (invalid_grant)' WHERE id = $1`, [row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [row.id]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stale = await h.call(`/installations/${row.id}/rest/api/3/myself`);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'installation_needs_reinstall', errorMessages: [expect.stringContaining('invalid_grant')] });
    expect(h.sandbox.atlassian.calls.length).toBe(before);
  });
});

describe('jira-api: legacy JIRA_API_TOKEN for requests without an installation', () => {
  let h: PassThroughHarness;
  beforeAll(async () => {
    h = await startPassThroughApp('jira-api', (config) => JiraApiModule.forRoot(config), {
      env: { JIRA_API_TOKEN: 'legacy-api-token', JIRA_EMAIL: 'bot@example.com', JIRA_BASE_URL: 'http://127.0.0.1:9/legacy-site' },
    });
  });
  afterAll(() => h.close());

  it('uses Basic email:token against JIRA_BASE_URL (unreachable here: a clear 502)', async () => {
    const response = await h.call('/rest/api/3/myself');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'upstream_unreachable', errorMessages: [expect.any(String)] });
  });
});
