import { SLACK_BOT_USER_ID, SLACK_INSTALLER_USER_ID, SLACK_SEEDED_CHANNELS } from '@bot/platform-slack';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms';
import { TEST_SERVICE_API_KEY } from '@bot/testing';
import { WebClient } from '@slack/web-api';
import { SlackApiModule } from '../src/slack-api.module';

describe('slack-api: Slack Web API pass-through per installation', () => {
  let h: PassThroughHarness;

  beforeAll(async () => {
    h = await startPassThroughApp('slack-api', (config) => SlackApiModule.forRoot(config), { slackRotation: true });
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
  const clientFor = (installationId: string, token = TEST_SERVICE_API_KEY) =>
    new WebClient(token, { slackApiUrl: `${h.url}/api/`, headers: { 'X-Installation-Id': installationId }, retryConfig: { retries: 0 } });
  const slackCalls = (method: string) => h.sandbox.slack.calls.filter((call) => call.path === `/api/${method}`);

  it('@slack/web-api: chat.postMessage, conversations.list with cursor pagination, reactions.add, users.info', async () => {
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

  it('answers its own refusals in Slack shape and forwards only /api/<method>', async () => {
    const { row } = await installSlack('T0REFUSE');
    const before = h.sandbox.slack.calls.length;
    await expect(clientFor(row.id, 'xoxb-not-the-service-key').auth.test()).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 401, body: { ok: false, error: 'invalid_service_key' } });
    const notForwarded = await h.call('/other/path', { installationId: row.id });
    expect(notForwarded.status).toBe(404);
    const badMethod = await h.call('/api/chat.postMessage%2F..%2F..%2Fevil', { installationId: row.id });
    expect(badMethod.status).toBe(400);
    const revoked = await installSlack('T0REVOKED');
    await h.sql(`UPDATE installations SET status = 'revoked', revoked_at = now() WHERE id = $1`, [revoked.row.id]);
    await h.sql(`SELECT pg_notify('installation_changed', $1)`, [revoked.row.id]);
    const gone = await h.call('/api/auth.test', { installationId: revoked.row.id, method: 'POST' });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ ok: false, error: 'installation_revoked' });
    expect(h.sandbox.slack.calls.length).toBe(before);
  });
});
