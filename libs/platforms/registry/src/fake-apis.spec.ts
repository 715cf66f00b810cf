// The platform REST APIs the fakes answer, called with plain fetch in the platforms' wire formats.
import { randomBytes } from 'node:crypto';
import { fakeLargeBody } from '@bot/platform-fakes';
import { jiraSite } from '@bot/platform-jira';
import { SLACK_BOT_USER_ID, SLACK_INSTALLER_USER_ID } from '@bot/platform-slack';
import { PlatformSandbox, startPlatformSandbox } from './sandbox';

let sandbox: PlatformSandbox;

beforeAll(async () => {
  sandbox = await startPlatformSandbox();
});

afterAll(async () => {
  await sandbox.stop();
});

/** A JSON call; answers the status, headers and parsed body. */
async function call(url: string, init: { method?: string; headers?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

describe('fake GitHub REST API', () => {
  let token: string;

  beforeAll(() => {
    const installation = sandbox.github.install('paging-org');
    sandbox.github.seedIssues('paging-org', 'demo', 65);
    token = sandbox.github.mintToken(installation.id).token;
  });

  const get = (path: string, scheme = 'Bearer') => call(`${sandbox.github.url}${path}`, { headers: { authorization: `${scheme} ${token}`, accept: 'application/vnd.github+json' } });

  it('pages issues with Link headers as GitHub builds them', async () => {
    const base = `${sandbox.github.url}/repos/paging-org/demo/issues`;
    const first = await get('/repos/paging-org/demo/issues?per_page=30&state=open');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(30);
    expect(first.body[0]).toMatchObject({ number: 65, title: 'Issue 65', state: 'open', comments: 0, labels: [], html_url: 'https://github.com/paging-org/demo/issues/65' });
    expect(first.headers.get('link')).toBe(`<${base}?per_page=30&state=open&page=2>; rel="next", <${base}?per_page=30&state=open&page=3>; rel="last"`);

    const second = await get('/repos/paging-org/demo/issues?per_page=30&state=open&page=2', 'token');
    expect(second.body.map((issue: { number: number }) => issue.number)).toEqual(Array.from({ length: 30 }, (_, i) => 35 - i));
    expect(second.headers.get('link')).toBe(
      `<${base}?per_page=30&state=open&page=1>; rel="prev", <${base}?per_page=30&state=open&page=3>; rel="next", ` +
        `<${base}?per_page=30&state=open&page=3>; rel="last", <${base}?per_page=30&state=open&page=1>; rel="first"`,
    );

    const last = await get('/repos/paging-org/demo/issues?per_page=30&state=open&page=3');
    expect(last.body).toHaveLength(5);
    expect(last.headers.get('link')).toBe(`<${base}?per_page=30&state=open&page=2>; rel="prev", <${base}?per_page=30&state=open&page=1>; rel="first"`);

    expect(Number(last.headers.get('x-ratelimit-used'))).toBeGreaterThanOrEqual(3);
    expect(last.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(Number(last.headers.get('x-ratelimit-remaining'))).toBe(5000 - Number(last.headers.get('x-ratelimit-used')));
    expect(last.headers.get('x-ratelimit-resource')).toBe('core');
    expect(last.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]{4}:/);
    expect(sandbox.github.callsTo('GET /repos/:owner/:repo/issues').at(-2)?.headers['authorization']).toBe(`token ${token}`);
  });

  it('lists the installation repositories and creates issues and comments', async () => {
    const repositories = await get('/installation/repositories');
    expect(repositories.body).toMatchObject({ total_count: 1, repository_selection: 'all', repositories: [{ name: 'demo', full_name: 'paging-org/demo', private: true, owner: { login: 'paging-org' } }] });

    const headers = { authorization: `Bearer ${token}` };
    const missingTitle = await call(`${sandbox.github.url}/repos/paging-org/demo/issues`, { headers, json: { body: 'no title' } });
    expect(missingTitle.status).toBe(422);
    expect(missingTitle.body).toMatchObject({ message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }] });

    const created = await call(`${sandbox.github.url}/repos/paging-org/demo/issues`, { headers, json: { title: 'From the bot', body: 'Hello', labels: ['bug'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 66, title: 'From the bot', body: 'Hello', labels: [{ name: 'bug' }], user: { login: 'sandbox-bot[bot]', type: 'Bot' } });

    const comment = await call(`${sandbox.github.url}/repos/paging-org/demo/issues/66/comments`, { headers, json: { body: 'First!' } });
    expect(comment.status).toBe(201);
    expect((await get('/repos/paging-org/demo/issues/66')).body.comments).toBe(1);
    expect((await get('/repos/paging-org/demo/issues/66/comments')).body).toEqual([expect.objectContaining({ id: comment.body.id, body: 'First!' })]);
  });

  it("answers 404 for another installation's repository", async () => {
    sandbox.github.install('other-org');
    for (const path of ['/repos/other-org/demo', '/repos/other-org/demo/issues', '/repos/paging-org/missing']) {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    }
  });

  it('answers 401 Bad credentials for an expired token', async () => {
    const installation = sandbox.github.install('expiring-org');
    const expiring = sandbox.github.mintToken(installation.id).token;
    sandbox.github.expireToken(expiring);
    const answer = await call(`${sandbox.github.url}/repos/expiring-org/demo`, { headers: { authorization: `token ${expiring}` } });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    expect(answer.headers.get('x-ratelimit-limit')).toBe('60');
  });
});

describe('fake Slack Web API', () => {
  let token: string;
  let otherTeamToken: string;

  beforeAll(() => {
    token = sandbox.slack.grantBotToken('T0PAGING01').accessToken;
    otherTeamToken = sandbox.slack.grantBotToken('T0OTHER001').accessToken;
  });

  const api = (method: string, init: Parameters<typeof call>[1] = {}) => call(`${sandbox.slack.url}/api/${method}`, init);

  it('pages conversations.list with cursors over JSON, form and query arguments', async () => {
    const pageThrough = async (send: (cursor: string) => ReturnType<typeof call>) => {
      const names: string[] = [];
      const cursors: string[] = [];
      let cursor = '';
      do {
        const answer = await send(cursor);
        expect(answer.status).toBe(200);
        expect(answer.body.ok).toBe(true);
        names.push(...answer.body.channels.map((channel: { name: string }) => channel.name));
        cursor = answer.body.response_metadata.next_cursor;
        cursors.push(cursor);
      } while (cursor);
      return { names, cursors };
    };
    const bearer = { authorization: `Bearer ${token}` };

    const overJson = await pageThrough((cursor) => api('conversations.list', { headers: bearer, json: { limit: 3, ...(cursor ? { cursor } : {}) } }));
    expect(overJson.names).toEqual(['general', 'random', 'dev-1', 'dev-2', 'dev-3', 'dev-4', 'dev-5']);
    expect(overJson.cursors).toHaveLength(3);
    expect(overJson.cursors.at(-1)).toBe('');

    const overForm = await pageThrough((cursor) => api('conversations.list', { form: { token, limit: '3', cursor } }));
    expect(overForm).toEqual(overJson);
    const overQuery = await pageThrough((cursor) => api(`conversations.list?limit=3&cursor=${encodeURIComponent(cursor)}`, { headers: bearer }));
    expect(overQuery).toEqual(overJson);

    const first = await api('conversations.list', { headers: bearer, form: { limit: '1' } });
    expect(first.body.channels[0]).toMatchObject({ id: sandbox.slack.channelId('T0PAGING01', 'general'), is_channel: true, is_private: false, is_archived: false, is_member: true, num_members: 4 });
    expect(sandbox.slack.callsTo('POST /api/conversations.list').at(-1)?.headers['authorization']).toBe(`Bearer ${token}`);
  });

  it("posts messages only to the team's own channels and reacts once", async () => {
    const bearer = { authorization: `Bearer ${token}` };
    const otherTeamChannel = sandbox.slack.channelId('T0OTHER001', 'general');
    expect((await api('chat.postMessage', { headers: bearer, form: { channel: otherTeamChannel, text: 'hi' } })).body).toEqual({ ok: false, error: 'channel_not_found' });
    expect((await api('chat.postMessage', { headers: bearer, json: { channel: 'C0NOSUCH01', text: 'hi' } })).body).toEqual({ ok: false, error: 'channel_not_found' });

    const channel = sandbox.slack.channelId('T0PAGING01', 'dev-1');
    expect((await api('chat.postMessage', { headers: bearer, json: { channel } })).body).toEqual({ ok: false, error: 'no_text' });
    const posted = await api('chat.postMessage', { headers: bearer, json: { channel, text: 'Deploy finished' } });
    expect(posted.body).toMatchObject({ ok: true, channel, message: { text: 'Deploy finished', user: SLACK_BOT_USER_ID, type: 'message' } });
    expect(posted.body.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(sandbox.slack.messages('T0PAGING01', channel).map((message) => message.text)).toEqual(['Deploy finished']);

    const react = () => api('reactions.add', { headers: bearer, form: { channel, timestamp: posted.body.ts, name: 'rocket' } });
    expect((await react()).body).toEqual({ ok: true });
    expect((await react()).body).toEqual({ ok: false, error: 'already_reacted' });
    expect((await api('reactions.add', { headers: bearer, form: { channel, timestamp: '1.000001', name: 'rocket' } })).body).toEqual({ ok: false, error: 'message_not_found' });

    const otherTeam = await api('chat.postMessage', { headers: { authorization: `Bearer ${otherTeamToken}` }, json: { channel: otherTeamChannel, text: 'hi' } });
    expect(otherTeam.body).toMatchObject({ ok: true, channel: otherTeamChannel });
  });

  it('answers auth.test, users.info and the token and method errors as Slack does', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    expect((await api('auth.test', { headers: bearer })).body).toMatchObject({ ok: true, team_id: 'T0PAGING01', user_id: SLACK_BOT_USER_ID, is_enterprise_install: false });
    expect((await api('users.info?user=' + SLACK_INSTALLER_USER_ID, { headers: bearer })).body).toMatchObject({ ok: true, user: { id: SLACK_INSTALLER_USER_ID, team_id: 'T0PAGING01', is_bot: false } });
    expect((await api('users.info', { headers: bearer, form: { user: 'U0NOBODY01' } })).body).toEqual({ ok: false, error: 'user_not_found' });

    const unknownMethod = await api('chat.teleport', { headers: bearer, form: {} });
    expect(unknownMethod.status).toBe(404);
    expect(unknownMethod.body).toMatchObject({ ok: false, error: 'unknown_method' });

    const { accessToken } = sandbox.slack.grantBotToken('T0PAGING01', { rotation: true });
    sandbox.slack.expireToken(accessToken);
    expect((await api('auth.test', { headers: { authorization: `Bearer ${accessToken}` } })).body).toEqual({ ok: false, error: 'token_expired' });
    expect((await api('auth.test', { headers: { authorization: 'Bearer xoxb-not-a-token' } })).body).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('plays a rate-limit fault with its retry-after header', async () => {
    sandbox.slack.failNext('POST /api/chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    const limited = await api('chat.postMessage', { headers: { authorization: `Bearer ${token}` }, json: { channel: 'general', text: 'hi' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    expect((await api('chat.postMessage', { headers: { authorization: `Bearer ${token}` }, json: { channel: 'general', text: 'hi' } })).body.ok).toBe(true);
  });
});

describe('fake Jira Cloud REST API', () => {
  const alpha = jiraSite('alpha');
  const beta = jiraSite('beta');
  let token: string;

  beforeAll(() => {
    token = sandbox.atlassian.grant([alpha]).accessToken;
    sandbox.atlassian.grant([beta]);
  });

  const jira = (site: { id: string }, path: string, init: Parameters<typeof call>[1] = {}) =>
    call(`${sandbox.atlassian.url}/ex/jira/${site.id}/rest/api/3${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });

  it('creates, reads and comments on issues with site URLs in self', async () => {
    expect((await jira(alpha, '/myself')).body).toMatchObject({ displayName: 'Sandbox User', accountType: 'atlassian' });
    expect((await jira(alpha, '/serverInfo')).body).toMatchObject({ baseUrl: 'https://alpha.atlassian.net', deploymentType: 'Cloud' });

    const missingSummary = await jira(alpha, '/issue', { json: { fields: { project: { key: 'SBX' }, issuetype: { name: 'Task' } } } });
    expect(missingSummary.status).toBe(400);
    expect(missingSummary.body).toEqual({ errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } });

    const created = await jira(alpha, '/issue', { json: { fields: { project: { key: 'SBX' }, summary: 'Unicorn sighting', issuetype: { name: 'Bug' }, description: adf('Seen near the pond.') } } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: '10004', key: 'SBX-4', self: 'https://alpha.atlassian.net/rest/api/3/issue/10004' });

    const fetched = await jira(alpha, '/issue/SBX-4');
    expect(fetched.body).toMatchObject({ id: '10004', key: 'SBX-4', fields: { summary: 'Unicorn sighting', issuetype: { name: 'Bug' }, project: { key: 'SBX', name: 'Sandbox' }, status: { name: 'To Do' } } });
    expect(fetched.body.fields.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect((await jira(alpha, '/issue/10004?fields=summary')).body.fields).toEqual({ summary: 'Unicorn sighting' });

    const comment = await jira(alpha, '/issue/SBX-4/comment', { json: { body: adf('Confirmed.') } });
    expect(comment.status).toBe(201);
    expect(comment.body).toMatchObject({ id: '10000', self: 'https://alpha.atlassian.net/rest/api/3/issue/10004/comment/10000', author: { displayName: 'Sandbox User' }, body: adf('Confirmed.') });
    expect((await jira(alpha, '/issue/SBX-4/comment')).body).toMatchObject({ startAt: 0, total: 1, comments: [{ id: '10000' }] });

    const missing = await jira(alpha, '/issue/SBX-999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });

  it('searches with JQL, classic and enhanced', async () => {
    await jira(alpha, '/issue', { json: { fields: { project: { key: 'SBX' }, summary: 'Another issue', issuetype: { id: '10001' }, description: adf('Mentions a narwhal.') } } });

    const byProject = await jira(alpha, `/search?jql=${encodeURIComponent('project = SBX ORDER BY created DESC')}&maxResults=2`);
    expect(byProject.body).toMatchObject({ startAt: 0, maxResults: 2, total: 5 });
    expect(byProject.body.issues.map((issue: { key: string }) => issue.key)).toEqual(['SBX-5', 'SBX-4']);

    const byText = await jira(alpha, '/search', { json: { jql: 'project = "SBX" AND text ~ "narwhal"', fields: ['summary'] } });
    expect(byText.body).toMatchObject({ total: 1, issues: [{ key: 'SBX-5', fields: { summary: 'Another issue' } }] });
    expect((await jira(alpha, `/search?jql=${encodeURIComponent('summary ~ unicorn')}`)).body.issues.map((issue: { key: string }) => issue.key)).toEqual(['SBX-4']);

    const ids: string[] = [];
    let nextPageToken: string | undefined;
    do {
      const page = await jira(alpha, '/search/jql', { json: { jql: 'project = SBX', maxResults: 2, ...(nextPageToken ? { nextPageToken } : {}) } });
      ids.push(...page.body.issues.map((issue: { id: string }) => issue.id));
      nextPageToken = page.body.nextPageToken;
      expect(page.body.isLast).toBe(nextPageToken === undefined);
    } while (nextPageToken);
    expect(ids).toEqual(['10001', '10002', '10003', '10004', '10005']);

    const badJql = await jira(alpha, `/search?jql=${encodeURIComponent('status = Done')}`);
    expect(badJql.status).toBe(400);
    expect(badJql.body.errorMessages[0]).toMatch(/^Error in the JQL Query: /);
  });

  it("answers 401 for a site outside the token's grant and for an expired token", async () => {
    const otherSite = await jira(beta, '/issue/SBX-1');
    expect(otherSite.status).toBe(401);
    expect(otherSite.body).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });

    const { accessToken } = sandbox.atlassian.grant([alpha]);
    sandbox.atlassian.expireToken(accessToken);
    const expired = await jira(alpha, '/myself', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ code: 401, message: 'Unauthorized' });
    expect(sandbox.atlassian.callsTo('GET /ex/jira/:cloudId/rest/api/3/myself').at(-1)?.headers['authorization']).toBe(`Bearer ${accessToken}`);
  });

  it('follows a grant through refresh-token rotation and revokes it', async () => {
    const granted = sandbox.atlassian.grant([alpha]);
    const refresh = (refreshToken: string) =>
      call(`${sandbox.atlassian.url}/oauth/token`, {
        json: { grant_type: 'refresh_token', client_id: 'sandbox-jira-client', client_secret: 'sandbox-jira-client-secret', refresh_token: refreshToken },
      });
    const refreshed = await refresh(granted.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(sandbox.atlassian.currentRefreshToken(granted.refreshToken)).toBe(refreshed.body.refresh_token);

    sandbox.atlassian.revokeGrant(granted.refreshToken);
    expect((await refresh(refreshed.body.refresh_token)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await jira(alpha, '/myself', { headers: { authorization: `Bearer ${refreshed.body.access_token}` } })).status).toBe(401);
  });
});

describe('fake Jira dynamic webhooks (REST API v3 for OAuth 2.0 apps)', () => {
  const site = jiraSite('hooks-site');
  let token: string;

  beforeAll(() => {
    token = sandbox.atlassian.grant([site]).accessToken;
  });

  const hooks = (path: string, init: Parameters<typeof call>[1] = {}) =>
    call(`${sandbox.atlassian.url}/ex/jira/${site.id}/rest/api/3/webhook${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

  it('registers (200 with per-webhook errors), lists with expiry, refreshes, lists failures after a cursor, deletes (202)', async () => {
    const registered = await hooks('', {
      json: {
        url: 'https://gateway.example.com/webhooks/jira',
        webhooks: [
          { events: ['jira:issue_created'], jqlFilter: 'project = SBX' },
          { events: ['jira:issue_created'], jqlFilter: 'project is not EMPTY' },
          { events: ['jira:nonsense'], jqlFilter: 'project != null' },
        ],
      },
    });
    expect(registered.status).toBe(200);
    expect(registered.body).toEqual({
      webhookRegistrationResult: [{ createdWebhookId: expect.any(Number) }, { errors: ['Operator is not is unsupported'] }, { errors: ['The event jira:nonsense is not supported.'] }],
    });
    const id = registered.body.webhookRegistrationResult[0].createdWebhookId as number;
    const listed = await hooks('');
    expect(listed.body).toMatchObject({ isLast: true, startAt: 0, total: 1, values: [{ id, jqlFilter: 'project = SBX', events: ['jira:issue_created'], expirationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/) }] });
    expect((await hooks('', { json: { url: 'https://elsewhere.example.com/hooks', webhooks: [{ events: ['jira:issue_created'], jqlFilter: 'project = SBX' }] } })).body).toEqual({
      webhookRegistrationResult: [{ errors: ['Only a single URL per app is allowed to be registered.'] }],
    });

    sandbox.atlassian.setWebhookExpiry(id, new Date(Date.now() + 3600_000));
    const refreshed = await hooks('/refresh', { method: 'PUT', json: { webhookIds: [id] } });
    expect(new Date(refreshed.body.expirationDate.replace(/(\d\d)(\d\d)$/, '$1:$2')).getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600_000);

    for (const [failureTime, key] of [[1000, 'a'], [2000, 'b'], [3000, 'c']] as const) {
      sandbox.atlassian.recordFailedDelivery(site, { id: `failed-${key}`, url: 'https://gateway.example.com/webhooks/jira', body: `{"k":"${key}"}`, failureTime });
    }
    const firstPage = await hooks('/failed?maxResults=2');
    expect(firstPage.body).toEqual({
      values: [
        { id: 'failed-a', body: '{"k":"a"}', url: 'https://gateway.example.com/webhooks/jira', failureTime: 1000 },
        { id: 'failed-b', body: '{"k":"b"}', url: 'https://gateway.example.com/webhooks/jira', failureTime: 2000 },
      ],
      maxResults: 2,
      next: `${site.url}/rest/api/3/webhook/failed?after=2000&maxResults=2`,
    });
    expect((await hooks('/failed?maxResults=2&after=2000')).body).toEqual({ values: [expect.objectContaining({ id: 'failed-c' })], maxResults: 2 });

    const deleted = await hooks('', { method: 'DELETE', json: { webhookIds: [id, 999999] } });
    expect(deleted.status).toBe(202);
    expect((await hooks('')).body).toMatchObject({ total: 0, values: [] });
  });
});

describe('fake Sentry web API', () => {
  it('pages with Sentry\'s Link header (results and cursor), and refuses other organizations and unknown tokens in its shape', async () => {
    const { token } = sandbox.sentry.grant('fake-api-org');
    sandbox.sentry.seedIssues('fake-api-org', 2);
    const get = (path: string, auth = `Bearer ${token}`) => call(`${sandbox.sentry.url}${path}`, { headers: { authorization: auth } });
    const first = await get('/api/0/organizations/fake-api-org/issues/?per_page=3');
    expect(first.body.map((issue: { title: string }) => issue.title)).toEqual(['Sandbox error 5', 'Sandbox error 4', 'Sandbox error 3']);
    const base = `${sandbox.sentry.url}/api/0/organizations/fake-api-org/issues/?per_page=3`;
    expect(first.headers.get('link')).toBe(
      `<${base}&cursor=0%3A0%3A1>; rel="previous"; results="false"; cursor="0:0:1", <${base}&cursor=0%3A3%3A0>; rel="next"; results="true"; cursor="0:3:0"`,
    );
    const second = await get('/api/0/organizations/fake-api-org/issues/?per_page=3&cursor=0:3:0');
    expect(second.body).toHaveLength(2);
    expect(second.headers.get('link')).toContain('rel="next"; results="false"');

    sandbox.sentry.grant('someone-else');
    expect(await get('/api/0/organizations/someone-else/issues/')).toMatchObject({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
    expect(await get('/api/0/organizations/fake-api-org/issues/', 'Bearer sntryi_nope')).toMatchObject({ status: 401, body: { detail: 'Invalid token' } });
    expect(await get('/api/0/nowhere/')).toMatchObject({ status: 404, body: { detail: 'The requested resource does not exist' } });
  });
});

describe('fake-only streaming routes', () => {
  it('echoes any body unparsed, beyond the JSON size limit', async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    const response = await fetch(`${sandbox.slack.url}/fake/echo`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: payload });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-fake-received-bytes')).toBe(String(payload.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true);
  });

  it('streams a large deterministic body in chunks', async () => {
    const response = await fetch(`${sandbox.github.url}/fake/large?bytes=300000`);
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(Buffer.from(await response.arrayBuffer()).equals(fakeLargeBody(300_000))).toBe(true);
  });
});
