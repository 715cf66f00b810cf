import { FakeJiraSite, JIRA_SANDBOX_PROJECT } from '@bot/platform-jira';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { EsmSdkHost, startEsmSdkHost, TEST_SERVICE_API_KEY } from '@bot/testing';
import type { IncomingMessage, Server } from 'node:http';
import { HttpException, Version3Client } from 'jira-js-5';
import { JiraApiModule } from '../src/jira-api.module';
import { installJiraSite } from './support/jira-installation';

// The newer jira.js majors against the real app, configured only by host (/installations/{id}) and the service key:
// no hooks, no extra headers. jira.js 6 (newest, ESM-only, npm alias `jira-js-current`) runs in a child `node`
// process (esm-sdk-host) since Jest's CommonJS runtime cannot import it; jira.js 5 (alias `jira-js-5`) ships a
// CommonJS build and runs in-process. jira-api.spec.ts covers jira.js 4 the same way.
const JIRA6 = 'jira-js-current';

describe('jira-api with jira.js 6 and 5 configured by host /installations/{id} and the service key', () => {
  let h: PassThroughHarness;
  let sdk: EsmSdkHost;
  const received: string[] = [];
  const receivedFor = (part: string) => received.filter((url) => url.includes(part)).length;
  const siteCalls = (site: FakeJiraSite, suffix = '') => h.sandbox.atlassian.calls.filter((call) => call.path.startsWith(`/ex/jira/${site.id}/rest/`) && call.path.endsWith(suffix));

  beforeAll(async () => {
    h = await startPassThroughApp('jira-api', (config) => JiraApiModule.forRoot(config));
    (h.app.getHttpServer() as Server).on('request', (req: IncomingMessage) => received.push(req.url ?? ''));
    sdk = startEsmSdkHost();
  });
  afterAll(async () => {
    await sdk?.close();
    await h?.close();
  });

  const installJira = () => installJiraSite(h);
  const revoke = async (installationId: string) => {
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL, refresh_token = NULL WHERE id = $1`, [installationId]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [installationId]);
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  const task = (summary: string) => ({ fields: { project: { key: JIRA_SANDBOX_PROJECT.key }, summary, issuetype: { name: 'Task' } } });
  type SearchPage = { issues?: { id: string; key?: string; fields?: { summary?: string } }[]; nextPageToken?: string; isLast?: boolean };

  describe('jira.js 6 (ESM, newest major): createCloudClient({ host, auth: { type: \'bearer\', token } })', () => {
    let clients = 0;
    /** The whole configuration an agent needs. jira.js 6's `oauth2` auth ignores `host` (it routes to api.atlassian.com), so `bearer`. */
    const jiraFor = async (installationId: string, token = TEST_SERVICE_API_KEY) => {
      const name = `jira6-${++clients}`;
      await sdk.create(name, JIRA6, 'createCloudClient', { host: `${h.url}/installations/${installationId}`, auth: { type: 'bearer', token } }, false);
      return name;
    };

    it('creates an issue, gets it, comments on it, and pages through an enhanced JQL search by nextPageToken', async () => {
      const { row, site, token } = await installJira();
      const jira = await jiraFor(row.id);
      const keys: string[] = [];
      for (let i = 0; i < 5; i++) keys.push((await sdk.call<{ key: string }>(jira, 'issues.createIssue', task(`jira6 page ${i}`))).key);
      expect(keys[0]).toMatch(new RegExp(`^${JIRA_SANDBOX_PROJECT.key}-\\d+$`));
      const issue = await sdk.call<{ key: string; fields: { summary: string } }>(jira, 'issues.getIssue', { issueIdOrKey: keys[0] });
      expect(issue).toMatchObject({ key: keys[0], fields: { summary: 'jira6 page 0' } });
      const comment = await sdk.call<{ id: string }>(jira, 'issueComments.addComment', {
        issueIdOrKey: keys[0],
        body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'a comment' }] }] },
      });
      expect(comment.id).toBeTruthy();

      const seen: string[] = [];
      let nextPageToken: string | undefined;
      let pages = 0;
      do {
        const page: SearchPage = await sdk.call(jira, 'issueSearch.searchAndReconsileIssuesUsingJql', { jql: 'summary ~ "jira6 page"', maxResults: 2, fields: ['summary'], nextPageToken });
        pages++;
        seen.push(...(page.issues ?? []).map((found) => found.key as string));
        nextPageToken = page.nextPageToken;
      } while (nextPageToken && pages < 10);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...keys].sort());

      expect(siteCalls(site, '/rest/api/3/search/jql')).toHaveLength(3);
      expect(new Set(siteCalls(site).map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
      expect(receivedFor(`/installations/${row.id}/rest/api/3/`)).toBe(siteCalls(site).length);
      expect(sdk.stderr()).not.toContain('[jira.js]'); // no response the schema does not describe
    });

    it('an unknown or revoked installation fails at once with its ApiError (NotFoundError 404 / ApiError 410), after one request', async () => {
      const unknown = '00000000-0000-4000-8000-0000000000bc';
      const notFound = await sdk.callError(await jiraFor(unknown), 'myself.getCurrentUser');
      expect(notFound).toMatchObject({
        name: 'NotFoundError',
        status: 404,
        predicates: expect.arrayContaining(['isApiError', 'isNotFoundError']),
        body: { errorMessages: [expect.stringContaining(unknown)], errors: {}, code: 'installation_not_found' },
      });
      expect(receivedFor(unknown)).toBe(1);

      const { row } = await installJira();
      const jira = await jiraFor(row.id);
      await expect(sdk.call(jira, 'myself.getCurrentUser')).resolves.toBeTruthy();
      await revoke(row.id);
      const upstreamBefore = h.sandbox.atlassian.calls.length;
      const receivedBefore = receivedFor(row.id);
      const revoked = await sdk.callError(jira, 'myself.getCurrentUser');
      expect(revoked).toMatchObject({ name: 'ApiError', status: 410, predicates: ['isApiError'], body: { code: 'installation_revoked', errors: {} } });
      const wrongKey = await sdk.callError(await jiraFor(row.id, 'wrong-key-0123456789abcdef'), 'myself.getCurrentUser');
      expect(wrongKey).toMatchObject({ name: 'AuthError', status: 401, predicates: expect.arrayContaining(['isApiError', 'isAuthError']), body: { code: 'invalid_service_key' } });
      expect(receivedFor(row.id) - receivedBefore).toBe(2);
      expect(h.sandbox.atlassian.calls.length).toBe(upstreamBefore);
    });
  });

  describe('jira.js 5 (its CommonJS build, in-process): new Version3Client({ host, authentication: { oauth2: { accessToken } } })', () => {
    const clientFor = (installationId: string, key = TEST_SERVICE_API_KEY) => new Version3Client({ host: `${h.url}/installations/${installationId}`, authentication: { oauth2: { accessToken: key } } });

    it('creates an issue, gets it, and pages through an enhanced JQL search by nextPageToken', async () => {
      const { row, site, token } = await installJira();
      const client = clientFor(row.id);
      const keys: string[] = [];
      for (let i = 0; i < 5; i++) keys.push((await client.issues.createIssue(task(`jira5 page ${i}`))).key);
      expect((await client.issues.getIssue({ issueIdOrKey: keys[0] })).fields.summary).toBe('jira5 page 0');
      const seen: string[] = [];
      let nextPageToken: string | undefined;
      let pages = 0;
      do {
        const page = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'summary ~ "jira5 page"', maxResults: 2, fields: ['summary'], nextPageToken });
        pages++;
        seen.push(...(page.issues ?? []).map((found) => found.key as string));
        nextPageToken = page.nextPageToken;
      } while (nextPageToken && pages < 10);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...keys].sort());
      expect(new Set(siteCalls(site).map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
      expect(receivedFor(`/installations/${row.id}/rest/api/3/`)).toBe(siteCalls(site).length);
    });

    it('an unknown or revoked installation fails at once with its HttpException (404 / 410), after one request', async () => {
      const unknown = '00000000-0000-4000-8000-0000000000bd';
      const notFound = await clientFor(unknown).myself.getCurrentUser().catch((error: unknown) => error);
      expect(notFound).toBeInstanceOf(HttpException);
      expect(notFound).toMatchObject({ status: 404, response: { data: { code: 'installation_not_found' } } });
      expect(receivedFor(unknown)).toBe(1);

      const { row } = await installJira();
      const client = clientFor(row.id);
      await expect(client.myself.getCurrentUser()).resolves.toBeDefined();
      await revoke(row.id);
      const upstreamBefore = h.sandbox.atlassian.calls.length;
      const revoked = await client.myself.getCurrentUser().catch((error: unknown) => error);
      expect(revoked).toBeInstanceOf(HttpException);
      expect(revoked).toMatchObject({ status: 410, response: { data: { code: 'installation_revoked', errors: {} } } });
      expect(receivedFor(row.id)).toBe(2);
      expect(h.sandbox.atlassian.calls.length).toBe(upstreamBefore);
    });
  });
});
