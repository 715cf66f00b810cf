import { SLACK_BOT_USER_ID, SLACK_INSTALLER_USER_ID, SLACK_SEEDED_CHANNELS } from '@bot/platform-slack';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { TEST_SERVICE_API_KEY } from '@bot/testing';
import { WebClient } from '@slack/web-api';
import type { IncomingMessage, Server } from 'node:http';
import { SlackApiModule } from '../src/slack-api.module';

describe('slack-api: Slack Web API pass-through per installation', () => {
  let h: PassThroughHarness;

  beforeAll(async () => {
    h = await startPassThroughApp('slack-api', (config) => SlackApiModule.forRoot(config), { slackRotation: true, env: { PROXY_BODY_LIMIT: '1mb' } });
    (h.app.getHttpServer() as Server).on('request', (req: IncomingMessage) => received.push(req.url ?? ''));
  });
  afterAll(() => h.close());

  /** A Slack workspace install: a bot token in the fake and the row here. */
  const installSlack = async (teamId: string, rotation = false) => {
    const granted = h.sandbox.slack.grantBotToken(teamId, { rotation });
    const row = await h.seed({
      platform: 'slack',
      externalOrgId: teamId,
      externalInstallId: null,
      accessToken: granted.accessToken,
      refreshToken: granted.refreshToken ?? null,
      tokenExpiresAt: rotation ? new Date(Date.now() + 12 * 3600_000) : null,
      metadata: { team_id: teamId, bot_user_id: SLACK_BOT_USER_ID },
    });
    return { row, token: granted.accessToken };
  };
  /** The prefix form: WebClient configured only by its base URL and the service key, with its default retry policy. */
  const clientFor = (installationId: string, token = TEST_SERVICE_API_KEY) => new WebClient(token, { slackApiUrl: `${h.url}/installations/${installationId}/api/` });
  /** The header form, still supported. */
  const headerClientFor = (installationId: string) =>
    new WebClient(TEST_SERVICE_API_KEY, { slackApiUrl: `${h.url}/api/`, headers: { 'X-Installation-Id': installationId }, retryConfig: { retries: 0 } });
  /** Requests slack-api itself received whose URL contains `part` (what a retrying SDK would multiply). */
  const received: string[] = [];
  const receivedFor = (part: string) => received.filter((url) => url.includes(part)).length;
  const slackCalls = (method: string) => h.sandbox.slack.calls.filter((call) => call.path === `/api/${method}`);

  it('@slack/web-api through /installations/{id}/api/: chat.postMessage, conversations.list with cursor pagination, reactions.add, users.info', async () => {
    const { row, token } = await installSlack('T0SDKTEAM');
    const client = clientFor(row.id);
    const general = h.sandbox.slack.channelId('T0SDKTEAM', 'general');

    const posted = await client.chat.postMessage({ channel: general, text: 'hello from the pass-through' });
    expect(posted).toMatchObject({ ok: true, channel: general, message: { text: 'hello from the pass-through' } });
    expect(h.sandbox.slack.messages('T0SDKTEAM', general).map((message) => message.text)).toContain('hello from the pass-through');

    const names: string[] = [];
    for await (const page of client.paginate('conversations.list', { limit: 3 })) {
      names.push(...((page as unknown as { channels: { name: string }[] }).channels.map((channel) => channel.name)));
    }
    expect(names).toEqual(SLACK_SEEDED_CHANNELS);
    expect(slackCalls('conversations.list')).toHaveLength(3);

    await expect(client.reactions.add({ channel: general, timestamp: posted.ts as string, name: 'tada' })).resolves.toMatchObject({ ok: true });
    const user = await client.users.info({ user: SLACK_INSTALLER_USER_ID });
    expect(user.user).toMatchObject({ id: SLACK_INSTALLER_USER_ID });

    const seen = h.sandbox.slack.calls.filter((call) => call.path.startsWith('/api/') && !call.path.includes('oauth'));
    expect(new Set(seen.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${token}`]));
    expect(JSON.stringify(seen.map((call) => call.body))).not.toContain(TEST_SERVICE_API_KEY);
  });

  it('the X-Installation-Id header form still works; header and prefix naming different installations is refused', async () => {
    const a = await installSlack('T0HEADER1');
    const b = await installSlack('T0HEADER2');
    const general = h.sandbox.slack.channelId('T0HEADER1', 'general');
    await expect(headerClientFor(a.row.id).chat.postMessage({ channel: general, text: 'header form' })).resolves.toMatchObject({ ok: true });
    const same = await h.call(`/installations/${a.row.id}/api/auth.test`, { installationId: a.row.id.toUpperCase(), method: 'POST' });
    expect(await same.json()).toMatchObject({ ok: true });

    const before = h.sandbox.slack.calls.length;
    const conflict = await h.call(`/installations/${a.row.id}/api/auth.test`, { installationId: b.row.id, method: 'POST' });
    expect(conflict.status).toBe(200);
    expect(await conflict.json()).toMatchObject({ ok: false, error: 'invalid_arguments', code: 'installation_id_conflict' });
    expect(h.sandbox.slack.calls.length).toBe(before);
  });

  it('an unknown or revoked installation fails at once in WebClient (default retry policy): a platform error after one attempt', async () => {
    const unknown = '00000000-0000-4000-8000-00000000dead';
    const started = Date.now();
    await expect(clientFor(unknown).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'installation_not_found', code: 'installation_not_found' },
    });
    expect(receivedFor(unknown)).toBe(1);

    const revoked = await installSlack('T0SDKGONE');
    const client = clientFor(revoked.row.id);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now(), access_token = NULL WHERE id = $1`, [revoked.row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [revoked.row.id]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const attemptsBefore = receivedFor(revoked.row.id);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'token_revoked', code: 'installation_revoked' },
    });
    expect(receivedFor(revoked.row.id) - attemptsBefore).toBe(1);
    // WebClient's first retry would come after about a second; both failures came well before any.
    expect(Date.now() - started).toBeLessThan(5000);

    const suspended = await installSlack('T0SDKSUSP');
    await h.sql(`UPDATE installations SET status = 'suspended', status_reason = 'paused' WHERE id = $1`, [suspended.row.id]);
    await expect(clientFor(suspended.row.id).auth.test()).rejects.toMatchObject({ data: { ok: false, error: 'account_inactive', code: 'installation_suspended' } });
  });

  it('forwards JSON bodies as well as form bodies', async () => {
    const { row } = await installSlack('T0JSONTEAM');
    const channel = h.sandbox.slack.channelId('T0JSONTEAM', 'random');
    const response = await h.call('/api/chat.postMessage', {
      installationId: row.id,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel, text: 'json body' }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel });
    expect(slackCalls('chat.postMessage').at(-1)!.body).toMatchObject({ channel, text: 'json body' });
  });

  it('two workspaces interleaved: each call carries its own bot token and sees only its own channels', async () => {
    const a = await installSlack('T0TEAMA');
    const b = await installSlack('T0TEAMB');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const [who, team] = i % 2 ? [b, 'T0TEAMB'] : [a, 'T0TEAMA'];
        return clientFor(who.row.id).chat.postMessage({ channel: h.sandbox.slack.channelId(team, 'general'), text: `message ${i}` });
      }),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(h.sandbox.slack.messages('T0TEAMA', h.sandbox.slack.channelId('T0TEAMA', 'general'))).toHaveLength(5);
    // A's bot cannot post into B's channel: Slack's own error passes through.
    await expect(clientFor(a.row.id).chat.postMessage({ channel: h.sandbox.slack.channelId('T0TEAMB', 'general'), text: 'x' })).rejects.toMatchObject({
      data: { ok: false, error: 'channel_not_found' },
    });
  });

  it('token rotation: a token_expired answer triggers one refresh and one retry; the rotated tokens are stored', async () => {
    const { row, token } = await installSlack('T0ROTATE', true);
    h.sandbox.slack.expireToken(token);
    const posted = await clientFor(row.id).chat.postMessage({ channel: h.sandbox.slack.channelId('T0ROTATE', 'general'), text: 'after refresh' });
    expect(posted.ok).toBe(true);
    const refreshes = h.sandbox.slack.callsTo('POST /api/oauth.v2.access').filter((call) => (call.body as Record<string, string>)['grant_type'] === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    const stored = await h.sql<{ access_token: string }>(`SELECT access_token FROM installations WHERE id = $1`, [row.id]);
    expect(stored[0].access_token).toMatch(/^enc:v1:/);
    const used = slackCalls('chat.postMessage').slice(-2).map((call) => call.headers['authorization']);
    expect(used[0]).toBe(`Bearer ${token}`);
    expect(used[1]).not.toBe(`Bearer ${token}`);
  });

  it('answers its own refusals as HTTP 200 Slack errors with a code (413 keeps its status) and forwards only /api/<method>', async () => {
    const { row } = await installSlack('T0REFUSE');
    const before = h.sandbox.slack.calls.length;
    const wrongKey = 'xoxb-not-the-service-key';
    await expect(clientFor(row.id, wrongKey).auth.test()).rejects.toMatchObject({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'invalid_auth', code: 'invalid_service_key' } });
    expect(receivedFor(`/installations/${row.id}/api/auth.test`)).toBe(1);
    const noKey = await fetch(`${h.url}/installations/${row.id}/api/auth.test`, { method: 'POST' });
    expect(noKey.status).toBe(200);
    expect(await noKey.json()).toMatchObject({ ok: false, error: 'not_authed', code: 'service_key_required' });

    const notForwarded = await h.call(`/installations/${row.id}/other/path`);
    expect(notForwarded.status).toBe(200);
    expect(await notForwarded.json()).toMatchObject({ ok: false, error: 'unknown_method', code: 'not_forwarded' });
    const badMethod = await h.call(`/installations/${row.id}/api/chat.postMessage%2F..%2F..%2Fevil`);
    expect(await badMethod.json()).toMatchObject({ ok: false, error: 'unknown_method', code: 'invalid_path' });
    const backslash = await h.call(`/installations/${row.id}/api/chat.postMessage%5c..%5cevil`);
    expect(await backslash.json()).toMatchObject({ ok: false, code: 'invalid_path' });
    const badId = await h.call('/installations/not-a-uuid/api/auth.test');
    expect(await badId.json()).toMatchObject({ ok: false, error: 'invalid_auth', code: 'invalid_installation_id' });
    const none = await h.call('/api/auth.test', { method: 'POST' });
    expect(await none.json()).toMatchObject({ ok: false, error: 'not_authed', code: 'installation_id_required' });
    const github = await h.seed({ platform: 'github', externalInstallId: '77', accessToken: 'ghs_other_platform', tokenExpiresAt: null });
    expect(await (await h.call(`/installations/${github.id}/api/auth.test`)).json()).toMatchObject({ ok: false, error: 'invalid_auth', code: 'installation_platform_mismatch' });

    const tooLarge = await h.call(`/installations/${row.id}/api/files.upload`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ ok: false, error: 'request_too_large', code: 'body_too_large' });
    expect(h.sandbox.slack.calls.length).toBe(before);
  });

});
