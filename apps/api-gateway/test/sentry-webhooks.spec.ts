import { signSentryWebhook } from '@bot/platform-sentry';
import { randomUUID } from 'node:crypto';
import { GatewayHarness, json, SENTRY_CLIENT_SECRET, startGateway } from './support/api-gateway.harness';

const UUID = 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de';

/** Sentry's installation webhook, as its integration-platform docs show it. */
function installationEvent(action: 'created' | 'deleted', uuid = UUID) {
  return {
    action,
    actor: { id: 1, name: 'Meredith Heller', type: 'user' },
    data: {
      installation: {
        status: action === 'created' ? 'pending' : 'installed',
        organization: { slug: 'test-org' },
        app: { uuid: '2ebf071f-28df-4989-aca9-c37c763b278f', slug: 'webhooks-galore' },
        code: 'f3c71b491e3949b6b033ae45312a4fcb',
        uuid,
      },
    },
    installation: { uuid },
  };
}

/** An `issue` `created` delivery (trimmed to the fields the docs show). */
function issueCreated(uuid = UUID) {
  return {
    action: 'created',
    installation: { uuid },
    data: {
      issue: {
        id: '1170820242',
        shortId: 'FRONTEND-1',
        title: "TypeError: Cannot read property 'name' of undefined",
        culprit: 'app/components/Profile',
        level: 'error',
        status: 'unresolved',
        project: { id: '1', name: 'frontend', slug: 'frontend', platform: 'javascript' },
        web_url: 'https://sentry.io/organizations/test-org/issues/1170820242/',
      },
    },
    actor: { type: 'application', id: 'sentry', name: 'Sentry' },
  };
}

describe('POST /webhooks/sentry', () => {
  let gateway: GatewayHarness;
  let installationId: string;

  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway?.close());
  beforeEach(async () => {
    await gateway.sql('DELETE FROM webhook_tasks');
    await gateway.sql(`DELETE FROM audit_events`);
    await gateway.sql(`DELETE FROM installations`);
    installationId = (await gateway.addInstallation({ platform: 'sentry', externalOrgId: 'test-org', externalInstallId: UUID, refreshToken: 'sntryr_stored', metadata: { org_slug: 'test-org' } })).id;
  });

  it('verifies, routes by installation.uuid and queues with Request-ID as the delivery id', async () => {
    const requestId = randomUUID();
    const payload = issueCreated();
    const response = await gateway.sentry('issue', payload, { requestId });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ ok: true, duplicate: false, task_id: expect.any(String) });
    expect(await gateway.tasks()).toEqual([
      expect.objectContaining({ queue: 'sentry', platform: 'sentry', installation_id: installationId, external_install_id: UUID, external_org_id: 'test-org', event_type: 'issue', action: 'created', delivery_id: requestId, payload, status: 'pending' }),
    ]);
  });

  it.each([
    ['missing', null],
    ['not a hex digest', 'sha256=deadbeef'],
    ['made with another secret', 'other'],
  ])('a signature that is %s → 401, nothing stored', async (_label, signature) => {
    const body = JSON.stringify(issueCreated());
    const response = await gateway.sentry('issue', body, { signature: signature === 'other' ? signSentryWebhook('not-the-secret', body) : signature });
    expect(response.status).toBe(401);
    expect(await json(response)).toMatchObject({ success: false, error: { code: 'invalid_signature', message: expect.stringMatching(/Sentry-Hook-Signature/) } });
    expect(await gateway.tasks()).toEqual([]);
  });

  it('a signature over other bytes than the body (re-serialised JSON) → 401', async () => {
    const body = JSON.stringify(issueCreated());
    const response = await gateway.sentry('issue', body, { signature: signSentryWebhook(SENTRY_CLIENT_SECRET, JSON.stringify(JSON.parse(body), null, 2)) });
    expect(response.status).toBe(401);
    expect(await gateway.tasks()).toEqual([]);
  });

  it('verified but malformed (no Sentry-Hook-Resource, not JSON) → 400, nothing stored', async () => {
    const noResource = await gateway.sentry('', issueCreated(), { headers: { 'sentry-hook-resource': '' } });
    expect(noResource.status).toBe(400);
    expect((await json(noResource)).error.message).toBe('the Sentry-Hook-Resource header is missing');
    const notJson = await gateway.sentry('issue', '{"action": created');
    expect(notJson.status).toBe(400);
    expect(await gateway.tasks()).toEqual([]);
  });

  it('Sentry documents no timestamp window (and does not sign the timestamp): an old Sentry-Hook-Timestamp is accepted', async () => {
    const response = await gateway.sentry('issue', issueCreated(), { headers: { 'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000) - 86_400) } });
    expect(response.status).toBe(200);
  });

  it('a redelivered Request-ID is answered as a duplicate and queued once, also when copies arrive at once', async () => {
    const requestId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => gateway.sentry('issue', issueCreated(), { requestId }).then(json)));
    expect(answers.filter((answer) => answer.duplicate === false)).toHaveLength(1);
    expect(answers.filter((answer) => answer.duplicate === true)).toHaveLength(4);
    expect(await gateway.tasks()).toHaveLength(1);
  });

  it('installation.deleted revokes the installation once; a redelivery changes nothing', async () => {
    const requestId = randomUUID();
    const response = await gateway.sentry('installation', installationEvent('deleted'), { requestId });
    expect(response.status).toBe(200);
    const revoked = await gateway.installation(installationId);
    expect(revoked).toMatchObject({ status: 'revoked', statusReason: 'the integration was uninstalled in Sentry', accessToken: null, refreshToken: null });
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await gateway.tasks()).toEqual([expect.objectContaining({ event_type: 'installation', action: 'deleted', installation_id: installationId })]);

    expect(await json(gateway.sentry('installation', installationEvent('deleted'), { requestId }))).toMatchObject({ duplicate: true });
    const audit = await gateway.sql(`SELECT event, actor, detail FROM audit_events WHERE installation_id = $1`, [installationId]);
    expect(audit).toEqual([{ event: 'installation.revoked', actor: 'sentry', detail: expect.objectContaining({ source: 'webhook', delivery_id: requestId }) }]);
    // One health event for the operators' receivers, written with the revoke (the redelivery added none).
    const healthEvents = await gateway.sql(`SELECT type, platform, data FROM health_events WHERE installation_id = $1`, [installationId]);
    expect(healthEvents).toEqual([{ type: 'installation.revoked', platform: 'sentry', data: { reason: 'the integration was uninstalled in Sentry', source: 'webhook' } }]);
  });

  it('installation.created is queued and changes nothing (the redirect exchanges the code)', async () => {
    await gateway.sentry('installation', installationEvent('created'));
    expect(await gateway.installation(installationId)).toMatchObject({ status: 'active', refreshToken: 'sntryr_stored' });
    expect(await gateway.sql(`SELECT count(*)::int AS n FROM installations`)).toEqual([{ n: 1 }]);
    expect(await gateway.tasks()).toEqual([expect.objectContaining({ event_type: 'installation', action: 'created', installation_id: installationId })]);
  });

  it('a delivery for an installation we do not know is queued without one; one without Request-ID is deduped by its body', async () => {
    const other = randomUUID();
    await gateway.sentry('issue', issueCreated(other));
    const body = JSON.stringify(issueCreated());
    const headers = { 'request-id': '' };
    await gateway.sentry('issue', body, { headers });
    expect(await json(gateway.sentry('issue', body, { headers }))).toMatchObject({ duplicate: true });
    const tasks = await gateway.tasks();
    expect(tasks.map((task) => [task.installation_id, task.external_install_id])).toEqual([
      [null, other],
      [installationId, UUID],
    ]);
    expect(tasks[1].delivery_id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
