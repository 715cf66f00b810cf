import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { EsmSdkHost, startEsmSdkHost, TEST_SERVICE_API_KEY } from '@bot/testing';
import type { IncomingMessage, Server } from 'node:http';
import { GitHubApiModule } from '../src/github-api.module';
import { installGitHubAccount } from './support/github-installation';

// The current major of @octokit/rest (22, ESM-only, installed as the npm alias `octokit-rest-current`) against the
// real app, configured only by its base URL and the service key: no hooks, no extra headers. The SDK runs in a
// child `node` process (esm-sdk-host), since Jest's CommonJS runtime cannot import it; github-api.spec.ts covers
// @octokit/rest 20 the same way in-process.
const OCTOKIT = 'octokit-rest-current';

describe('github-api with @octokit/rest 22 (ESM) configured by base URL /installations/{id} and the service key', () => {
  let h: PassThroughHarness;
  let sdk: EsmSdkHost;
  const received: string[] = [];
  const receivedFor = (part: string) => received.filter((url) => url.includes(part)).length;
  const upstreamCalls = (pathPart: string) => h.sandbox.github.calls.filter((call) => call.path.includes(pathPart));

  beforeAll(async () => {
    h = await startPassThroughApp('github-api', (config) => GitHubApiModule.forRoot(config));
    (h.app.getHttpServer() as Server).on('request', (req: IncomingMessage) => received.push(req.url ?? ''));
    sdk = startEsmSdkHost();
    // RequestError comes from the alias's own dependency tree (@octokit/request-error 7), not the top-level one.
    await sdk.load('@octokit/request-error', OCTOKIT);
  });
  afterAll(async () => {
    await sdk?.close();
    await h?.close();
  });

  const installGitHub = (login: string) => installGitHubAccount(h, login);
  /** `new Octokit({ baseUrl, auth })` in the host, under `name`: the whole configuration an agent needs. */
  let clients = 0;
  const octokitFor = async (installationId: string, auth = TEST_SERVICE_API_KEY) => {
    const name = `octokit-${++clients}`;
    await sdk.create(name, OCTOKIT, 'Octokit', { baseUrl: `${h.url}/installations/${installationId}`, auth });
    return name;
  };
  type OctokitResponse<T> = { status: number; data: T; headers: Record<string, string> };

  it('lists, creates and reads issues with the installation token; the request carries Octokit 22\'s user agent', async () => {
    const { row, token } = await installGitHub('octo22-write');
    h.sandbox.github.seedIssues('octo22-write', 'demo', 3);
    const octokit = await octokitFor(row.id);

    const listed = await sdk.call<OctokitResponse<{ number: number }[]>>(octokit, 'rest.issues.listForRepo', { owner: 'octo22-write', repo: 'demo' });
    expect(listed.status).toBe(200);
    expect(listed.data).toHaveLength(3);

    const created = await sdk.call<OctokitResponse<{ number: number; title: string }>>(octokit, 'rest.issues.create', { owner: 'octo22-write', repo: 'demo', title: 'Through Octokit 22', body: 'created by a test' });
    expect(created.status).toBe(201);
    const comment = await sdk.call<OctokitResponse<{ body: string }>>(octokit, 'rest.issues.createComment', { owner: 'octo22-write', repo: 'demo', issue_number: created.data.number, body: 'a comment' });
    expect(comment.data.body).toBe('a comment');
    const got = await sdk.call<OctokitResponse<{ title: string }>>(octokit, 'rest.issues.get', { owner: 'octo22-write', repo: 'demo', issue_number: created.data.number });
    expect(got.data.title).toBe('Through Octokit 22');
    expect((await sdk.call<OctokitResponse<{ number: number }[]>>(octokit, 'rest.issues.listForRepo', { owner: 'octo22-write', repo: 'demo' })).data).toHaveLength(4);

    const calls = upstreamCalls('/repos/octo22-write/demo/issues');
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
    expect(calls[0].headers['user-agent']).toMatch(/octokit-rest\.js\/22\.\d+\.\d+/);
    expect(receivedFor(`/installations/${row.id}/repos/octo22-write/demo/issues`)).toBe(5);
  });

  it('paginate follows the rewritten Link headers across every page, keeping the prefix', async () => {
    const { row, token } = await installGitHub('octo22-paginate');
    h.sandbox.github.seedIssues('octo22-paginate', 'demo', 45);
    const octokit = await octokitFor(row.id);
    const issues = await sdk.call<{ number: number }[]>(octokit, 'paginate', { $method: 'rest.issues.listForRepo' }, { owner: 'octo22-paginate', repo: 'demo', per_page: 10 });
    expect(issues).toHaveLength(45);
    expect(new Set(issues.map((issue) => issue.number)).size).toBe(45);
    const calls = upstreamCalls('/repos/octo22-paginate/demo/issues');
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
    // Pages 2-5 are the Link URLs github-api wrote, so each came back through the prefix.
    const pages = received.filter((url) => url.startsWith(`/installations/${row.id}/repos/octo22-paginate/demo/issues?`)).map((url) => new URL(url, h.url).searchParams.get('page'));
    expect(pages).toEqual([null, '2', '3', '4', '5']);
  });

  it('an unknown or revoked installation fails at once with a RequestError (404 / 410), after one request', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000ac';
    const notFound = await sdk.callError(await octokitFor(unknown), 'rest.repos.get', { owner: 'o', repo: 'r' });
    expect(notFound).toMatchObject({
      name: 'HttpError',
      status: 404,
      instanceOf: expect.arrayContaining(['RequestError']),
      message: expect.stringContaining(unknown),
      response: { status: 404, data: { code: 'installation_not_found', documentation_url: `${h.url}/docs` } },
    });
    expect(receivedFor(unknown)).toBe(1);

    const { row } = await installGitHub('octo22-gone');
    const octokit = await octokitFor(row.id);
    expect((await sdk.call<OctokitResponse<unknown>>(octokit, 'rest.repos.get', { owner: 'octo22-gone', repo: 'demo' })).status).toBe(200);
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL WHERE id = $1`, [row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [row.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const upstreamBefore = h.sandbox.github.calls.length;
    const receivedBefore = receivedFor(row.id);
    const revoked = await sdk.callError(octokit, 'rest.repos.get', { owner: 'octo22-gone', repo: 'demo' });
    expect(revoked).toMatchObject({ name: 'HttpError', status: 410, instanceOf: expect.arrayContaining(['RequestError']), response: { data: { code: 'installation_revoked' } } });
    expect(receivedFor(row.id) - receivedBefore).toBe(1);
    expect(h.sandbox.github.calls.length).toBe(upstreamBefore);
  });
});
