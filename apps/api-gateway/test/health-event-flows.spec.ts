import { randomUUID } from 'node:crypto';
import { GatewayHarness, githubExample, startGateway } from './support/api-gateway.harness';

interface EventRow {
  type: string;
  platform: string;
  installation_id: string | null;
  org_id: string | null;
  org_name: string | null;
  data: Record<string, unknown>;
}

/** Health events of the lifecycle webhooks: written in the delivery's transaction, once per change. */
describe('health events of lifecycle webhooks', () => {
  let gateway: GatewayHarness;

  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.sql('DELETE FROM health_events'));

  const events = () => gateway.sql<EventRow>('SELECT type, platform, installation_id, org_id, org_name, data FROM health_events ORDER BY occurred_at, type');
  const installationEvent = (action: string, accountId: number, installId: number) => {
    const payload = githubExample('installation', action);
    payload.installation.id = installId;
    payload.installation.account = { ...payload.installation.account, id: accountId, login: `org-${accountId}` };
    return payload;
  };
  const slackEvent = (teamId: string, event: Record<string, unknown>) => ({
    team_id: teamId,
    api_app_id: 'A123ABC456',
    event,
    type: 'event_callback',
    event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    event_time: 1515449522,
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0BOT0001', is_bot: true, is_enterprise_install: false }],
  });

  it('GitHub installation.created emits installation.created once: not again for a redelivery, nor for the same install reported again', async () => {
    const payload = installationEvent('created', 8101, 9101);
    const deliveryId = randomUUID();
    await gateway.github('installation', payload, { deliveryId });
    await gateway.github('installation', payload, { deliveryId });
    await gateway.github('installation', payload);
    const [row] = await gateway.sql<{ id: string }>(`SELECT id FROM installations WHERE external_install_id = '9101'`);
    expect(await events()).toEqual([
      { type: 'installation.created', platform: 'github', installation_id: row.id, org_id: '8101', org_name: 'org-8101', data: { installed_by: payload.sender.login, scopes: expect.any(Array) } },
    ]);
  });

  it('suspend, unsuspend and uninstall each emit their event once; repeats emit nothing; a new install after the uninstall is a re-install', async () => {
    const installation = await gateway.addInstallation({ platform: 'github', externalOrgId: '8102', externalOrgName: 'org-8102', externalInstallId: '9102' });
    for (const action of ['suspend', 'suspend', 'unsuspend', 'unsuspend', 'deleted', 'deleted', 'suspend']) {
      expect((await gateway.github('installation', installationEvent(action, 8102, 9102))).status).toBe(200);
    }
    expect((await events()).map((event) => [event.type, event.installation_id, event.org_name, event.data])).toEqual([
      ['installation.suspended', installation.id, 'org-8102', { reason: 'suspended on GitHub by Codertocat' }],
      ['installation.unsuspended', installation.id, 'org-8102', {}],
      ['installation.revoked', installation.id, 'org-8102', { reason: 'uninstalled on GitHub by octocat', source: 'webhook' }],
    ]);

    await gateway.sql('DELETE FROM health_events');
    await gateway.github('installation', installationEvent('created', 8102, 9202));
    expect((await events()).map((event) => [event.type, event.installation_id, event.data['previous_status']])).toEqual([['installation.reinstalled', installation.id, 'revoked']]);
  });

  it('Slack app_uninstalled and a bot tokens_revoked emit installation.revoked once; user tokens_revoked emits nothing', async () => {
    const uninstalled = await gateway.addInstallation({ platform: 'slack', externalOrgId: 'T0EVGONE01', externalOrgName: 'Gone Inc', externalInstallId: null });
    const tokens = await gateway.addInstallation({ platform: 'slack', externalOrgId: 'T0EVTOKEN1', externalOrgName: 'Tokens Inc', externalInstallId: null });
    await gateway.slackJson(slackEvent('T0EVGONE01', { type: 'app_uninstalled' }));
    await gateway.slackJson(slackEvent('T0EVGONE01', { type: 'app_uninstalled' }));
    await gateway.slackJson(slackEvent('T0EVTOKEN1', { type: 'tokens_revoked', tokens: { oauth: ['U0USER0001'] } }));
    await gateway.slackJson(slackEvent('T0EVTOKEN1', { type: 'tokens_revoked', tokens: { oauth: [], bot: ['U0BOT0001'] } }));
    expect((await events()).map((event) => [event.type, event.platform, event.installation_id, event.org_name, event.data['reason']])).toEqual([
      ['installation.revoked', 'slack', uninstalled.id, 'Gone Inc', 'the app was uninstalled from Slack'],
      ['installation.revoked', 'slack', tokens.id, 'Tokens Inc', 'Slack revoked the bot token'],
    ]);
  });

  it('a lifecycle delivery whose transaction rolls back emits nothing (and queues nothing)', async () => {
    // Pointing the task at the new installation is the transaction's last write, after the event was appended.
    await gateway.sql(`
      CREATE FUNCTION refuse_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'task store unavailable'; END $$`);
    await gateway.sql(`CREATE TRIGGER refuse_task_update BEFORE UPDATE ON webhook_tasks FOR EACH ROW EXECUTE FUNCTION refuse_task_update()`);
    try {
      const response = await gateway.github('installation', installationEvent('created', 8103, 9103));
      expect(response.status).toBeGreaterThanOrEqual(500);
    } finally {
      await gateway.sql('DROP TRIGGER refuse_task_update ON webhook_tasks');
      await gateway.sql('DROP FUNCTION refuse_task_update()');
    }
    expect(await gateway.sql(`SELECT id FROM installations WHERE external_install_id = '9103'`)).toEqual([]);
    expect(await events()).toEqual([]);
    expect((await gateway.tasks()).filter((task) => task.external_install_id === '9103')).toEqual([]);

    // GitHub redelivers; now it goes through, with its one event.
    await gateway.github('installation', installationEvent('created', 8103, 9103));
    expect((await events()).map((event) => [event.type, event.org_id])).toEqual([['installation.created', '8103']]);
  });
});
