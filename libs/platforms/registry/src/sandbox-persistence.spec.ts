import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jiraSite } from '@bot/platform-jira';
import { startPlatformSandbox } from './sandbox';
import { joinOrStartSandbox } from './shared-sandbox';

/** What the fakes issued before a restart keeps working after it (the `npm start` restart of issue 15). */
describe('sandbox state across restarts', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'bot-sandbox-state-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const slackAuthTest = (url: string, token: string) =>
    fetch(`${url}/api/auth.test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());

  it('keeps tokens, installs, workspaces, sites, issues and messages, and the GitHub App key', async () => {
    const before = await startPlatformSandbox({ stateDir });
    const slackToken = before.slack.grantBotToken('T0PERSIST').accessToken;
    const posted = await fetch(`${before.slack.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slackToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: before.slack.channelId('T0PERSIST', 'general'), text: 'said before the restart' }),
    }).then((r) => r.json() as Promise<{ ok: boolean; ts: string }>);
    expect(posted.ok).toBe(true);
    const installation = before.github.install('persist-org');
    const githubToken = before.github.mintToken(installation.id).token;
    const created = await fetch(`${before.github.url}/repos/persist-org/demo/issues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${githubToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'filed before the restart' }),
    });
    expect(created.status).toBe(201);
    const site = jiraSite('persist-site');
    const grant = before.atlassian.grant([site]);
    const hook = await fetch(`${before.atlassian.url}/ex/jira/${site.id}/rest/api/3/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grant.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/webhooks/jira', webhooks: [{ events: ['jira:issue_created'], jqlFilter: 'project != null' }] }),
    }).then((r) => r.json() as Promise<{ webhookRegistrationResult: { createdWebhookId: number }[] }>);
    const sentry = before.sentry.grant('persist-org');
    before.sentry.seedIssues('persist-org', 1);
    await before.stop();
    expect(statSync(join(stateDir, 'slack.state')).mode & 0o777).toBe(0o600);
    const keyBefore = before.env['GITHUB_PRIVATE_KEY'];

    const after = await startPlatformSandbox({ stateDir });
    try {
      expect(after.env['GITHUB_PRIVATE_KEY']).toBe(keyBefore);
      expect(await slackAuthTest(after.slack.url, slackToken)).toMatchObject({ ok: true, team_id: 'T0PERSIST' });
      expect(after.slack.messages('T0PERSIST', after.slack.channelId('T0PERSIST', 'general')).map((m) => m.text)).toEqual(['said before the restart']);

      const issues = await fetch(`${after.github.url}/repos/persist-org/demo/issues?state=all`, { headers: { authorization: `Bearer ${githubToken}` } });
      expect(issues.status).toBe(200);
      expect(((await issues.json()) as { title: string }[]).map((issue) => issue.title)).toContain('filed before the restart');

      const myself = await fetch(`${after.atlassian.url}/ex/jira/${site.id}/rest/api/3/myself`, { headers: { authorization: `Bearer ${grant.accessToken}` } });
      expect(myself.status).toBe(200);
      // The refresh token of the old grant still rotates.
      const refreshed = await fetch(`${after.atlassian.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'sandbox-jira-client', client_secret: 'sandbox-jira-client-secret', refresh_token: grant.refreshToken }),
      });
      expect(refreshed.status).toBe(200);
      // The site's dynamic webhook is still registered, and new ones get new ids.
      expect(after.atlassian.webhooksOf(site).map((webhook) => webhook.id)).toEqual([hook.webhookRegistrationResult[0].createdWebhookId]);

      const sentryIssues = await fetch(`${after.sentry.url}/api/0/organizations/persist-org/issues/`, { headers: { authorization: `Bearer ${sentry.token}` } });
      expect(sentryIssues.status).toBe(200);
      expect(((await sentryIssues.json()) as { title: string }[]).map((issue) => issue.title)).toContain('Sandbox error 4');
      expect(after.sentry.currentRefreshToken(sentry.installation.uuid)).toBe(sentry.refreshToken);
    } finally {
      await after.stop();
    }
  });

  it('without a state directory keeps nothing (tests stay independent)', async () => {
    const before = await startPlatformSandbox();
    const token = before.slack.grantBotToken('T0GONE').accessToken;
    await before.stop();
    const after = await startPlatformSandbox();
    try {
      expect(await slackAuthTest(after.slack.url, token)).toEqual({ ok: false, error: 'invalid_auth' });
    } finally {
      await after.stop();
    }
  });

  it('sets an unreadable state file aside, says so, and starts empty', async () => {
    writeFileSync(join(stateDir, 'slack.state'), 'not a state file');
    const problems: string[] = [];
    const sandbox = await startPlatformSandbox({ stateDir, onProblem: (message) => problems.push(message) });
    await sandbox.stop();
    expect(problems).toEqual([expect.stringMatching(/slack\.state could not be read .*set aside as \.unreadable, starting empty$/)]);
    expect(existsSync(join(stateDir, 'slack.state.unreadable'))).toBe(true);
  });
});

describe('one sandbox per checkout, shared by its processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'bot-shared-sandbox-')), 'sandbox');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('the first caller runs the fakes, the next reuses them, and after release a new owner takes over with the same state', async () => {
    const [first, second] = await Promise.all([
      joinOrStartSandbox({ dir, oauthServiceUrl: 'http://127.0.0.1:9' }),
      joinOrStartSandbox({ dir, oauthServiceUrl: 'http://127.0.0.1:9' }),
    ]);
    expect([first.owned, second.owned].sort()).toEqual([false, true]);
    for (const platform of ['github', 'slack', 'jira'] as const) {
      expect(second.urlOf(platform)).toBe(first.urlOf(platform));
      expect(second.envOf(platform)).toEqual(first.envOf(platform));
    }
    const owner = first.owned ? first : second;
    expect(JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'))).toMatchObject({ pid: process.pid, platforms: { slack: { url: owner.urlOf('slack') } } });
    expect(statSync(join(dir, 'sandbox.json')).mode & 0o777).toBe(0o600);

    await owner.release();
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);

    const next = await joinOrStartSandbox({ dir, oauthServiceUrl: 'http://127.0.0.1:9' });
    try {
      expect(next.owned).toBe(true);
      expect(next.envOf('github')['GITHUB_PRIVATE_KEY']).toBe(owner.envOf('github')['GITHUB_PRIVATE_KEY']);
    } finally {
      await next.release();
    }
  });

  it('replaces the record of a process that is gone', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sandbox.json'), JSON.stringify({ pid: 2 ** 22 + 12345, instance: 'dead', platforms: { slack: { url: 'http://127.0.0.1:9', env: {} } } }));
    chmodSync(join(dir, 'sandbox.json'), 0o600);
    const sandbox = await joinOrStartSandbox({ dir, oauthServiceUrl: 'http://127.0.0.1:9' });
    try {
      expect(sandbox.owned).toBe(true);
    } finally {
      await sandbox.release();
    }
  });
});
