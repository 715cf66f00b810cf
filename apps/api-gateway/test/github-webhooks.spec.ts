import { signHubSignature } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { GatewayHarness, githubExample, json, startGateway } from './support/api-gateway.harness';

describe('POST /webhooks/github', () => {
  let gateway: GatewayHarness;
  let installationId: string;
  const installId = '5550001';

  beforeAll(async () => {
    gateway = await startGateway({ WEBHOOK_BODY_LIMIT: '64kb' });
    installationId = (await gateway.addInstallation({ platform: 'github', externalOrgId: '21031067', externalOrgName: 'Codertocat', externalInstallId: installId })).id;
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.sql('DELETE FROM webhook_tasks'));

  const ofOurInstallation = (event: string, action?: string) => {
    const payload = githubExample(event, action);
    payload.installation = { id: Number(installId), node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNTU1MDAwMQ==' };
    return payload;
  };

  it.each([
    ['issues', 'opened'],
    ['pull_request', 'opened'],
    ['push', ''],
    ['issue_comment', 'created'],
  ])('a signed %s %s delivery becomes one task of our installation, payload and ids intact', async (event, action) => {
    const payload = ofOurInstallation(event, action || undefined);
    const deliveryId = randomUUID();
    const response = await gateway.github(event, payload, { deliveryId });
    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer).toEqual({ ok: true, duplicate: false, task_id: expect.any(String) });

    const tasks = await gateway.tasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      id: answer.task_id,
      queue: 'github',
      platform: 'github',
      installation_id: installationId,
      external_org_id: '21031067',
      external_install_id: installId,
      event_type: event,
      action: action || null,
      delivery_id: deliveryId,
      status: 'pending',
      attempts: 0,
    });
    expect(tasks[0].payload).toEqual(payload);
  });

  it('an event of an installation we do not know is still queued, without an installation', async () => {
    const payload = githubExample('issues', 'opened');
    payload.installation = { id: 999_999_999 };
    const response = await gateway.github('issues', payload);
    expect(response.status).toBe(200);
    expect(await gateway.tasks()).toEqual([expect.objectContaining({ installation_id: null, external_install_id: '999999999', event_type: 'issues' })]);
  });

  it.each([
    ['missing', { signature: null }],
    ['signed with another secret', { secret: 'not-the-webhook-secret' }],
    ['malformed', { signature: 'sha256=zz' }],
    ['sha1 only', { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }],
  ])('a %s signature is a 401 with a clear error and queues nothing', async (_label, options) => {
    const response = await gateway.github('issues', ofOurInstallation('issues', 'opened'), options);
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ success: false, error: { code: 'invalid_signature', message: expect.stringMatching(/X-Hub-Signature-256/) } });
    expect(await gateway.tasks()).toEqual([]);
  });

  it('a body changed after signing is a 401', async () => {
    const signed = JSON.stringify(ofOurInstallation('issues', 'opened'));
    const response = await gateway.github('issues', signed.replace('Spelling error', 'Spelling errors'), { signature: signHubSignature('github-webhook-secret-for-tests', signed) });
    expect(response.status).toBe(401);
    expect(await gateway.tasks()).toEqual([]);
  });

  it('malformed JSON behind a good signature is a 400; a body over the limit is a 413; neither is stored', async () => {
    const malformed = await gateway.github('issues', '{"action": "opened",');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.code).toBe('malformed_payload');

    const big = JSON.stringify({ ...ofOurInstallation('issues', 'opened'), padding: 'x'.repeat(70 * 1024) });
    const tooLarge = await gateway.github('issues', big);
    expect(tooLarge.status).toBe(413);
    expect((await json(tooLarge)).error.code).toBe('payload_too_large');
    expect(await gateway.tasks()).toEqual([]);
  });

  it('the same delivery 20 times at once: one task, every copy answered 200', async () => {
    const payload = ofOurInstallation('issues', 'opened');
    const deliveryId = randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => gateway.github('issues', payload, { deliveryId })));
    const answers = await Promise.all(responses.map((response) => json(response)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(answers.filter((answer) => answer.duplicate)).toHaveLength(19);
    expect(await gateway.tasks()).toHaveLength(1);

    // A redelivery later (GitHub's "Redeliver" keeps the delivery id) is acknowledged and not queued again.
    const again = await gateway.github('issues', payload, { deliveryId });
    expect(await json(again)).toEqual({ ok: true, duplicate: true, task_id: null });
    expect(await gateway.tasks()).toHaveLength(1);
  });

  it('publishes the webhook routes in the OpenAPI document', async () => {
    const document = await json(fetch(`${gateway.url}/docs/openapi.json`));
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/webhooks/github', '/webhooks/slack', '/webhooks/jira', '/webhooks/jira/{installationId}']));
  });
});
