import { LogCapture, MetricsSnapshot, scrapeMetrics } from '@bot/testing';
import { WebhookQueueGauges } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { GatewayHarness, githubExample, startGateway } from './support/api-gateway.harness';

describe('api-gateway: webhook metrics and request log', () => {
  let gateway: GatewayHarness;
  const log = new LogCapture();

  beforeAll(async () => {
    gateway = await startGateway({ WEBHOOK_BODY_LIMIT: '16kb' }, { logDestination: log });
  });
  afterAll(() => gateway?.close());

  const delta = (before: MetricsSnapshot, after: MetricsSnapshot, name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it('counts deliveries by platform and outcome: 3 refused signatures raise signature_refused by 3', async () => {
    const before = await scrapeMetrics(gateway.url);
    for (let i = 0; i < 3; i++) expect((await gateway.github('issues', githubExample('issues', 'opened'), { secret: 'not-the-secret' })).status).toBe(401);
    const deliveryId = randomUUID();
    expect((await gateway.github('issues', githubExample('issues', 'opened'), { deliveryId })).status).toBe(200);
    expect((await gateway.github('issues', githubExample('issues', 'opened'), { deliveryId })).status).toBe(200);
    expect((await gateway.slackJson('{"type": "event_callback", ')).status).toBe(400);
    expect((await gateway.github('issues', { padding: 'x'.repeat(20_000) })).status).toBe(413);
    const after = await scrapeMetrics(gateway.url);

    const deliveries = (platform: string, outcome: string) => delta(before, after, 'bot_webhook_deliveries_total', { app: 'api-gateway', platform, outcome });
    expect(deliveries('github', 'signature_refused')).toBe(3);
    expect(deliveries('github', 'queued')).toBe(1);
    expect(deliveries('github', 'duplicate')).toBe(1);
    expect(deliveries('slack', 'malformed')).toBe(1);
    expect(deliveries('github', 'too_large')).toBe(1);
    expect(delta(before, after, 'bot_webhook_enqueue_duration_seconds_count', { platform: 'github' })).toBe(2);
    expect(delta(before, after, 'bot_http_requests_total', { route: '/webhooks/github', method: 'POST', status_class: '4xx' })).toBe(4);
  });

  it('logs each delivery once with its route pattern, platform and installation; a refusal at info or warn without a stack', async () => {
    const installation = await gateway.addInstallation({ platform: 'github', externalOrgId: '4242', externalInstallId: '777001' });
    const payload = githubExample('issues', 'opened');
    payload.installation = { id: 777001 };
    const queued = await gateway.github('issues', payload);
    const refused = await gateway.github('issues', payload, { signature: 'sha256=00' });
    await settle();

    expect(log.find({ reqId: queued.headers.get('x-request-id') })).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request completed', route: '/webhooks/github', status: 200, platform: 'github', installationId: installation.id }),
    ]);
    const refusal = log.find({ reqId: refused.headers.get('x-request-id') });
    expect(refusal).toEqual([expect.objectContaining({ level: 'info', route: '/webhooks/github', status: 401, reason: expect.stringContaining('invalid_signature') })]);
    expect(log.lines().filter((line) => line.level === 'error')).toEqual([]);
    expect(log.text()).not.toContain('"stack"');
  });

  it('stores no traceparent with the task while tracing is off', async () => {
    const deliveryId = randomUUID();
    await gateway.github('issues', githubExample('issues', 'opened'), { deliveryId });
    expect(await gateway.sql(`SELECT traceparent FROM webhook_tasks WHERE delivery_id = $1`, [deliveryId])).toEqual([{ traceparent: null }]);
  });

  it('reads queue depth by queue and status, the oldest pending age and the dead letters from PostgreSQL', async () => {
    await gateway.sql('DELETE FROM webhook_tasks');
    const insert = (queue: string, status: string, receivedSecondsAgo: number) =>
      gateway.sql(
        `INSERT INTO webhook_tasks (queue, platform, event_type, delivery_id, payload, received_at, status)
         VALUES ($1, $1, 'issues', $2, '{}', now() - make_interval(secs => $3), $4)`,
        [queue, randomUUID(), receivedSecondsAgo, status],
      );
    await insert('github', 'pending', 900);
    await insert('github', 'pending', 5);
    await insert('github', 'processing', 5);
    await insert('jira', 'dead', 3600);
    await insert('slack', 'done', 7200);
    await gateway.app.get(WebhookQueueGauges).refresh();
    const metrics = await scrapeMetrics(gateway.url);
    const tasks = (queue: string, status: string) => metrics.value('bot_webhook_queue_tasks', { app: 'api-gateway', queue, status });
    expect([tasks('github', 'pending'), tasks('github', 'processing'), tasks('github', 'dead'), tasks('jira', 'dead'), tasks('slack', 'pending')]).toEqual([2, 1, 0, 1, 0]);
    expect(metrics.value('bot_webhook_queue_oldest_pending_age_seconds', { queue: 'github' })).toBeGreaterThanOrEqual(900);
    expect(metrics.value('bot_webhook_queue_oldest_pending_age_seconds', { queue: 'github' })).toBeLessThan(1200);
    expect(metrics.value('bot_webhook_queue_oldest_pending_age_seconds', { queue: 'jira' })).toBe(0);

    await gateway.sql(`UPDATE webhook_tasks SET status = 'done'`);
    await gateway.app.get(WebhookQueueGauges).refresh();
    const drained = await scrapeMetrics(gateway.url);
    expect(drained.value('bot_webhook_queue_tasks', { queue: 'github', status: 'pending' })).toBe(0);
    expect(drained.value('bot_webhook_queue_tasks', { queue: 'jira', status: 'dead' })).toBe(0);
  });
});
