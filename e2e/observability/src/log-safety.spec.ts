import { AppName } from '@bot/config';
import { signJiraWebhookJwt } from '@bot/platform-jira';
import { signSentryWebhook } from '@bot/platform-sentry';
import { signSlackRequest } from '@bot/platform-slack';
import { RecordedCall } from '@bot/platform-fakes';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, createTestDatabase, freePort, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, TestDatabase } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { abortedBody, abortedChunkedBody, hangUpBeforeAnswer, hangUpDuringAnswer } from './support/raw-http';

/**
 * The six apps as real processes (their entry points, JSON logs at debug level) on the platform fakes: the
 * install, refresh, pass-through and webhook flows must leave no known secret in anything a process wrote, and
 * malformed client input must leave no `error` line.
 */
describe('logs of the running apps', () => {
  const METRICS_TOKEN = 'metrics-token-for-the-scan-0123456789';
  const SLACK_STATE_SECRET = 'slack-state-secret-for-the-scan-0123';
  const ENCRYPTION_KEY = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  const apps = {} as Record<AppName, AppProcess>;
  const installed: { github?: string; slack?: string; jira?: string; sentry?: string } = {};
  const urlsSeen: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const oauthPort = await freePort();
    sandbox = await startPlatformSandbox({ slackRotation: true, oauthServiceUrl: `http://127.0.0.1:${oauthPort}` });
    const env = {
      ...sandbox.env,
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
      SLACK_STATE_SECRET,
      METRICS_TOKEN,
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      UPSTREAM_TIMEOUT_MS: '3000',
      BASE_URL: `http://127.0.0.1:${oauthPort}`,
    };
    const names: AppName[] = ['oauth-service', 'api-gateway', 'github-api', 'slack-api', 'jira-api', 'sentry-api'];
    const started = await Promise.allSettled(names.map((name) => startAppProcess(name, name === 'oauth-service' ? { ...env, PORT: String(oauthPort) } : env, 120_000)));
    started.forEach((result, index) => {
      if (result.status === 'fulfilled') apps[names[index]] = result.value;
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    await sandbox?.stop();
    await database?.drop();
  }, 60_000);

  /** Install through oauth-service as a browser would: install → the fake approves → callback (as an API client). */
  const install = async (platform: 'github' | 'slack' | 'jira' | 'sentry', fakeParams: Record<string, string>): Promise<string> => {
    const start = await fetch(`${apps['oauth-service'].url}/oauth/install/${platform}`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const providerUrl = new URL(start.headers.get('location')!);
    for (const [key, value] of Object.entries(fakeParams)) providerUrl.searchParams.set(key, value);
    const approval = await fetch(providerUrl, { redirect: 'manual' });
    const callbackUrl = approval.headers.get('location')!;
    urlsSeen.push(providerUrl.toString(), callbackUrl);
    const callback = await fetch(callbackUrl, { headers: { accept: 'application/json' } });
    expect(callback.status).toBe(200);
    return ((await callback.json()) as { installation_id: string }).installation_id;
  };
  const service = (installationId: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId, ...extra });

  it('install, refresh, pass-through and webhook flows write no known secret to any log line', async () => {
    installed.github = await install('github', { fake_account: 'scan-org' });
    installed.slack = await install('slack', { fake_team: 'T0SCANTEAM' });
    installed.jira = await install('jira', { fake_site: 'scan-site' });
    installed.sentry = await install('sentry', { fake_org: 'scan-org' });

    // Refreshes: every platform's token is refused once, so each app refreshes (GitHub: mints) and retries.
    for (const token of sandbox.github.tokens.keys()) sandbox.github.expireToken(token);
    for (const token of sandbox.slack.botTokens.keys()) sandbox.slack.expireToken(token);
    for (const token of sandbox.atlassian.accessTokens.keys()) sandbox.atlassian.expireToken(token);
    for (const token of sandbox.sentry.liveTokens()) sandbox.sentry.expireToken(token);
    expect((await fetch(`${apps['github-api'].url}/repos/scan-org/demo/issues`, { headers: service(installed.github) })).status).toBe(200);
    const general = sandbox.slack.channelId('T0SCANTEAM', 'general');
    const posted = await fetch(`${apps['slack-api'].url}/api/chat.postMessage`, {
      method: 'POST',
      headers: service(installed.slack, { 'content-type': 'application/json' }),
      body: JSON.stringify({ channel: general, text: 'scan' }),
    });
    expect(await posted.json()).toMatchObject({ ok: true });
    expect((await fetch(`${apps['jira-api'].url}/rest/api/3/myself`, { headers: service(installed.jira) })).status).toBe(200);
    expect((await fetch(`${apps['sentry-api'].url}/api/0/organizations/scan-org/issues/`, { headers: service(installed.sentry) })).status).toBe(200);
    // A failing refresh (the platform refuses the grant) is logged as well.
    sandbox.atlassian.failNext('POST /oauth/token', { status: 500, body: { error: 'server_error' } }, 3);
    for (const token of sandbox.atlassian.accessTokens.keys()) sandbox.atlassian.expireToken(token);
    await fetch(`${apps['jira-api'].url}/rest/api/3/myself`, { headers: service(installed.jira) });

    // Webhooks: signed deliveries of each platform, and refused ones.
    const gateway = apps['api-gateway'].url;
    const githubBody = JSON.stringify({ action: 'opened', installation: { id: Number([...sandbox.github.installations.keys()][0]) }, issue: { number: 1 } });
    const githubHeaders = { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': randomUUID() };
    expect((await fetch(`${gateway}/webhooks/github`, { method: 'POST', body: githubBody, headers: { ...githubHeaders, 'x-hub-signature-256': signHubSignature(sandbox.env['GITHUB_WEBHOOK_SECRET'], githubBody) } })).status).toBe(200);
    expect((await fetch(`${gateway}/webhooks/github`, { method: 'POST', body: githubBody, headers: { ...githubHeaders, 'x-hub-signature-256': signHubSignature('a-wrong-secret-0123456789', githubBody) } })).status).toBe(401);
    const slackBody = JSON.stringify({ type: 'event_callback', team_id: 'T0SCANTEAM', event_id: `Ev${Date.now()}`, event: { type: 'app_mention', text: 'hi' } });
    const slackSigned = signSlackRequest(sandbox.env['SLACK_SIGNING_SECRET'], slackBody, Math.floor(Date.now() / 1000));
    expect((await fetch(`${gateway}/webhooks/slack`, { method: 'POST', body: slackBody, headers: { 'content-type': 'application/json', ...slackSigned } })).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const jiraJwt = signJiraWebhookJwt(sandbox.env['JIRA_CLIENT_SECRET'], { iss: 'jira', iat: now, exp: now + 180 });
    const jiraBody = JSON.stringify({ webhookEvent: 'jira:issue_created', issue: { self: 'https://scan-site.atlassian.net/rest/api/3/issue/1' } });
    expect((await fetch(`${gateway}/webhooks/jira`, { method: 'POST', body: jiraBody, headers: { 'content-type': 'application/json', authorization: `Bearer ${jiraJwt}` } })).status).toBe(200);
    const sentryUuid = [...sandbox.sentry.installations.keys()][0];
    expect((await sandbox.sentry.sendWebhook(sentryUuid, 'issue', 'created', { issue: { id: '1', title: 'scan' } }, `${gateway}/webhooks/sentry`))?.status).toBe(200);
    const sentryBody = JSON.stringify({ action: 'created', installation: { uuid: sentryUuid }, data: {} });
    const sentryHeaders = { 'content-type': 'application/json', 'sentry-hook-resource': 'issue', 'request-id': randomUUID() };
    expect((await fetch(`${gateway}/webhooks/sentry`, { method: 'POST', body: sentryBody, headers: { ...sentryHeaders, 'sentry-hook-signature': signSentryWebhook('a-wrong-secret-0123456789', sentryBody) } })).status).toBe(401);

    // Admin and scrape calls carry their keys too.
    expect((await fetch(`${apps['oauth-service'].url}/oauth/installations`, { headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } })).status).toBe(200);
    for (const app of Object.values(apps)) expect((await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    await settle(500);

    const secrets = knownSecrets(
      { ...sandbox.env, TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY, SLACK_STATE_SECRET, METRICS_TOKEN, ADMIN_API_KEY: TEST_ADMIN_API_KEY, SERVICE_API_KEY: TEST_SERVICE_API_KEY },
      [...sandbox.github.calls, ...sandbox.slack.calls, ...sandbox.atlassian.calls, ...sandbox.sentry.calls],
      [...sandbox.github.tokens.keys(), ...sandbox.slack.botTokens.keys(), ...sandbox.atlassian.accessTokens.keys(), ...sandbox.sentry.liveTokens(), jiraJwt],
      urlsSeen,
    );
    expect(secrets.length).toBeGreaterThan(20);
    for (const [name, app] of Object.entries(apps)) {
      const output = app.output();
      expect(output.length).toBeGreaterThan(1000);
      const leaked = secrets.filter((secret) => output.includes(secret.value)).map((secret) => `${secret.what} in ${name}`);
      expect(leaked).toEqual([]);
      // Every line is one JSON object with a level and the app's name.
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      const notJson = lines.filter((line) => !isLogLine(line, name));
      expect(notJson).toEqual([]);
    }
  }, 120_000);

  it('malformed bodies, aborted uploads and callers hanging up log no error line on any app, and every app stays up', async () => {
    const marks = Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, app.output().length]));
    const json = { 'content-type': 'application/json' };
    const bad: [string, Record<string, string>, string | Uint8Array][] = [
      ['unsupported charset', { 'content-type': 'application/json; charset=ebcdic-xx' }, '{"a":1}'],
      ['bad gzip', { ...json, 'content-encoding': 'gzip' }, 'definitely not gzip'],
      ['cut gzip', { ...json, 'content-encoding': 'gzip' }, gzipSync(JSON.stringify({ a: 'b'.repeat(200) })).subarray(0, 20)],
      ['unknown encoding', { ...json, 'content-encoding': 'snappy' }, '{"a":1}'],
      ['broken JSON', json, '{"a": [1, 2'],
      ['broken form', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }, 'a=%%%&b'],
    ];
    const targets: { app: AppName; path: string; headers: Record<string, string> }[] = [
      { app: 'oauth-service', path: '/oauth/installations', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } },
      { app: 'oauth-service', path: '/no/such/route', headers: {} },
      { app: 'api-gateway', path: '/webhooks/github', headers: { 'x-github-event': 'issues', 'x-hub-signature-256': 'sha256=00' } },
      { app: 'api-gateway', path: '/webhooks/slack', headers: {} },
      { app: 'github-api', path: '/repos/scan-org/demo/issues', headers: service(installed.github!) },
      { app: 'github-api', path: '/fake/echo', headers: service(installed.github!) },
      { app: 'slack-api', path: '/api/chat.postMessage', headers: service(installed.slack!) },
      { app: 'jira-api', path: '/rest/api/3/issue', headers: service(installed.jira!) },
      { app: 'sentry-api', path: '/api/0/organizations/scan-org/issues/', headers: service(installed.sentry!) },
      { app: 'api-gateway', path: '/webhooks/sentry', headers: { 'sentry-hook-resource': 'issue', 'sentry-hook-signature': '00' } },
    ];
    for (const target of targets) {
      const url = apps[target.app].url;
      for (const [, headers, body] of bad) {
        const response = await fetch(`${url}${target.path}`, { method: 'POST', headers: { ...target.headers, ...headers }, body });
        expect(response.status).toBeLessThan(500);
      }
      await abortedBody(url, target.path, { ...target.headers, ...json }, '{"a": "only the start');
      await abortedBody(url, target.path, { ...target.headers, ...json }, 'x'.repeat(70_000), 200_000);
      await abortedChunkedBody(url, target.path, { ...target.headers, ...json }, '{"a": "a chunk and then nothing"');
      await hangUpBeforeAnswer(url, 'GET', target.path, target.headers);
      await hangUpDuringAnswer(url, 'GET', target.path, target.headers);
      const refused = await fetch(`${url}${target.path}`, { method: 'POST', headers: { ...target.headers, ...json, 'content-length': String(300 * 1024 * 1024) }, body: '{}' }).catch(() => null);
      if (refused) expect(refused.status).toBeLessThan(500);
    }
    // A long answer streamed from the platform while the caller hangs up, and paths no platform route takes.
    await hangUpDuringAnswer(apps['github-api'].url, 'GET', '/fake/large?bytes=50000000', service(installed.github!));
    for (const path of ['/repos/%E0%A4%A', '/repos/..%2F..%2Fadmin', '//evil.example/x']) {
      await hangUpDuringAnswer(apps['github-api'].url, 'GET', path, service(installed.github!));
    }
    await settle(1500);

    for (const [name, app] of Object.entries(apps)) {
      const lines = app.output().slice(marks[name]).split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(10);
      const errors = lines.filter((line) => /"level":"(error|fatal)"/.test(line));
      expect({ app: name, errors }).toEqual({ app: name, errors: [] });
      expect({ app: name, stacks: lines.filter((line) => line.includes('"stack"')) }).toEqual({ app: name, stacks: [] });
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
    }
  }, 180_000);
});

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface KnownSecret {
  what: string;
  value: string;
}

/** Every credential that crossed the wire in the flows: configured secrets, tokens the fakes issued and saw, OAuth codes and states. */
function knownSecrets(env: Record<string, string>, calls: RecordedCall[], issuedTokens: string[], urls: string[]): KnownSecret[] {
  const secrets: KnownSecret[] = [];
  const add = (what: string, value: string | undefined) => {
    if (value && value.length >= 8) secrets.push({ what, value });
  };
  for (const name of ['TOKEN_ENCRYPTION_KEY', 'ADMIN_API_KEY', 'SERVICE_API_KEY', 'METRICS_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'SLACK_CLIENT_SECRET', 'SLACK_SIGNING_SECRET', 'SLACK_STATE_SECRET', 'JIRA_CLIENT_SECRET', 'SENTRY_CLIENT_SECRET']) {
    add(name, env[name]);
  }
  // One line from the middle of the PEM body: any logged part of the key shows up.
  add('GITHUB_PRIVATE_KEY', env['GITHUB_PRIVATE_KEY'].split('\n')[5]);
  for (const token of issuedTokens) add('issued token', token);
  for (const call of calls) {
    const authorization = call.headers['authorization'];
    if (authorization) add(`authorization sent to ${call.route}`, authorization.replace(/^\S+\s+/, ''));
    const body = (typeof call.body === 'object' && call.body !== null ? call.body : {}) as Record<string, unknown>;
    for (const field of ['code', 'refresh_token', 'client_secret', 'code_verifier', 'state']) add(`${field} sent to ${call.route}`, typeof body[field] === 'string' ? (body[field] as string) : undefined);
    add(`state sent to ${call.route}`, call.query['state']);
  }
  for (const url of urls) {
    const params = new URL(url).searchParams;
    add('OAuth code in a callback', params.get('code') ?? undefined);
    add('OAuth state in a URL', params.get('state') ?? undefined);
  }
  return secrets;
}

function isLogLine(line: string, app: string): boolean {
  try {
    const parsed = JSON.parse(line) as { level?: unknown; app?: unknown };
    return typeof parsed.level === 'string' && parsed.app === app;
  } catch {
    return false;
  }
}
