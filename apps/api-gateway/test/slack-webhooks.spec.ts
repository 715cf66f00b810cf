import { INSTALLATION_CHANGED_CHANNEL } from '@bot/installations';
import { Client } from 'pg';
import { eventually, GatewayHarness, json, startGateway } from './support/api-gateway.harness';

/** An Events API envelope as Slack documents it ("Events API" → "Callback field overview"). */
function eventCallback(eventId: string, teamId: string, event: Record<string, unknown>, authorization: Record<string, unknown> = {}) {
  return {
    token: 'XXYYZZ',
    team_id: teamId,
    api_app_id: 'A123ABC456',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1515449522,
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0BOT0001', is_bot: true, is_enterprise_install: false, ...authorization }],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6ImFwcF9tZW50aW9uIn0',
  };
}

const appMention = { type: 'app_mention', user: 'U123ABC456', text: '<@U0LAN0Z89> is it everything a river should be?', ts: '1515449522.000016', channel: 'C123ABC456', event_ts: '1515449522.000016' };

describe('POST /webhooks/slack', () => {
  let gateway: GatewayHarness;
  let workspace: string;
  let grid: string;

  beforeAll(async () => {
    gateway = await startGateway();
    workspace = (await gateway.addInstallation({ platform: 'slack', externalOrgId: 'T0WORK0001', externalInstallId: null, accessToken: 'xoxb-work' })).id;
    grid = (await gateway.addInstallation({ platform: 'slack', externalOrgId: 'E0GRID0001', externalInstallId: null, accessToken: 'xoxb-grid', metadata: { is_enterprise_install: true } })).id;
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.sql('DELETE FROM webhook_tasks'));

  it('answers url_verification with the challenge after checking the signature, and queues nothing', async () => {
    const challenge = { token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' };
    const response = await gateway.slackJson(challenge);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ challenge: challenge.challenge });
    expect((await gateway.slackJson(challenge, { unsigned: true })).status).toBe(401);
    expect(await gateway.tasks()).toEqual([]);
  });

  it('queues an event_callback for the workspace installation named by team and authorizations', async () => {
    const body = eventCallback('Ev0000000001', 'T0WORK0001', appMention);
    const response = await gateway.slackJson(body);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ ok: true, duplicate: false, task_id: expect.any(String) });
    expect(await gateway.tasks()).toEqual([
      expect.objectContaining({ queue: 'slack', installation_id: workspace, external_org_id: 'T0WORK0001', event_type: 'app_mention', action: null, delivery_id: 'Ev0000000001', payload: body }),
    ]);
  });

  it('routes a workspace event of an org-wide (Enterprise Grid) install to the enterprise installation', async () => {
    const body = eventCallback('Ev0000000002', 'T0OTHER001', { ...appMention, type: 'message', subtype: 'bot_message' }, { enterprise_id: 'E0GRID0001', team_id: null, is_enterprise_install: true });
    await gateway.slackJson({ ...body, enterprise_id: 'E0GRID0001' });
    expect(await gateway.tasks()).toEqual([expect.objectContaining({ installation_id: grid, external_org_id: 'E0GRID0001', event_type: 'message', action: 'bot_message' })]);
  });

  it('queues an unknown team without an installation', async () => {
    await gateway.slackJson(eventCallback('Ev0000000003', 'T0UNKNOWN1', appMention));
    expect(await gateway.tasks()).toEqual([expect.objectContaining({ installation_id: null, external_org_id: 'T0UNKNOWN1' })]);
  });

  it.each([
    ['unsigned', { unsigned: true }],
    ['signed with another secret', { secret: 'not-the-signing-secret' }],
    ['stale (six minutes old)', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ['from the future (six minutes ahead)', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
  ])('a request that is %s is a 401 and queues nothing', async (_label, options) => {
    const response = await gateway.slackJson(eventCallback('Ev0000000004', 'T0WORK0001', appMention), options);
    expect(response.status).toBe(401);
    expect((await json(response)).error.code).toBe('invalid_signature');
    expect(await gateway.tasks()).toEqual([]);
  });

  it('deduplicates Slack retries by event_id, also when the copies arrive at once', async () => {
    const body = eventCallback('Ev0000000005', 'T0WORK0001', appMention);
    const copies = await Promise.all(
      Array.from({ length: 20 }, (_, retry) => gateway.slackJson(body, { headers: retry ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_timeout' } : {} })),
    );
    expect(copies.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(await gateway.tasks()).toHaveLength(1);
  });

  it('accepts interactive payloads (form field `payload`) with an empty 200, keyed by trigger_id', async () => {
    const payload = {
      type: 'block_actions',
      team: { id: 'T0WORK0001', domain: 'work' },
      user: { id: 'U123ABC456', username: 'river', team_id: 'T0WORK0001' },
      api_app_id: 'A123ABC456',
      token: 'XXYYZZ',
      trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
      response_url: 'https://hooks.slack.com/actions/T0WORK0001/1/abc',
      actions: [{ action_id: 'approve_button', block_id: 'approval', value: 'approve', type: 'button', action_ts: '1548426417.840180' }],
      is_enterprise_install: false,
      enterprise: null,
    };
    const response = await gateway.slackForm({ payload: JSON.stringify(payload) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(await gateway.tasks()).toEqual([
      expect.objectContaining({ installation_id: workspace, event_type: 'block_actions', action: 'approve_button', delivery_id: `trigger:${payload.trigger_id}`, payload }),
    ]);
  });

  it('accepts slash commands (form) with an empty 200', async () => {
    const fields = {
      token: 'gIkuvaNzQIHg97ATvDxqgjtO',
      team_id: 'T0WORK0001',
      team_domain: 'work',
      channel_id: 'C2147483705',
      channel_name: 'test',
      user_id: 'U2147483697',
      user_name: 'Steve',
      command: '/weather',
      text: '94070',
      api_app_id: 'A123ABC456',
      response_url: 'https://hooks.slack.com/commands/1234/5678',
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
    };
    const response = await gateway.slackForm(fields);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(await gateway.tasks()).toEqual([
      expect.objectContaining({ installation_id: workspace, event_type: 'slash_command', action: '/weather', delivery_id: `trigger:${fields.trigger_id}`, payload: fields }),
    ]);
  });

  it('a good signature over a malformed body is a 400 and stores nothing', async () => {
    expect((await gateway.slackJson('{"type": "event_callback",')).status).toBe(400);
    expect((await gateway.slackForm({ payload: '{not json' })).status).toBe(400);
    expect((await gateway.slackForm({ something: 'else' })).status).toBe(400);
    expect((await gateway.slackJson({ type: 'event_callback', event: { type: 'app_mention' } })).status).toBe(400);
    expect(await gateway.tasks()).toEqual([]);
  });

  describe('lifecycle', () => {
    let listener: Client;
    const notified: string[] = [];
    beforeAll(async () => {
      listener = new Client({ connectionString: gateway.database.url });
      await listener.connect();
      listener.on('notification', (message) => notified.push(message.payload ?? ''));
      await listener.query(`LISTEN ${INSTALLATION_CHANGED_CHANNEL}`);
    });
    afterAll(() => listener?.end());
    const events = async (id: string) => (await gateway.sql<{ event: string }>(`SELECT event FROM audit_events WHERE installation_id = $1 ORDER BY id`, [id])).map((row) => row.event);

    it('app_uninstalled revokes the installation, erases its token and announces it', async () => {
      const installation = await gateway.addInstallation({ platform: 'slack', externalOrgId: 'T0GONE0001', externalInstallId: null });
      const response = await gateway.slackJson(eventCallback('Ev0000000010', 'T0GONE0001', { type: 'app_uninstalled' }));
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ ok: true, token_caches: { confirmed: true, unconfirmed: [] } });
      expect(await gateway.installation(installation.id)).toMatchObject({ status: 'revoked', accessToken: null, statusReason: 'the app was uninstalled from Slack' });
      await eventually(() => notified.includes(installation.id));
      expect(await events(installation.id)).toEqual(['installation.revoked']);
      expect(await gateway.tasks()).toEqual([expect.objectContaining({ installation_id: installation.id, event_type: 'app_uninstalled' })]);
    });

    it('tokens_revoked with the bot token revokes; with user tokens only it is audited and the installation stays', async () => {
      const installation = await gateway.addInstallation({ platform: 'slack', externalOrgId: 'T0TOKENS01', externalInstallId: null });
      await gateway.slackJson(eventCallback('Ev0000000011', 'T0TOKENS01', { type: 'tokens_revoked', tokens: { oauth: ['U0USER0001'] } }));
      expect(await gateway.installation(installation.id)).toMatchObject({ status: 'active', accessToken: installation.accessToken });
      expect(await events(installation.id)).toEqual(['slack.user_tokens_revoked']);

      await gateway.slackJson(eventCallback('Ev0000000012', 'T0TOKENS01', { type: 'tokens_revoked', tokens: { oauth: [], bot: ['U0BOT0001'] } }));
      expect(await gateway.installation(installation.id)).toMatchObject({ status: 'revoked', accessToken: null, statusReason: 'Slack revoked the bot token' });
      expect(await events(installation.id)).toEqual(['slack.user_tokens_revoked', 'installation.revoked']);
    });
  });
});
