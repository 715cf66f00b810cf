import { Tracing } from '@bot/observability';
import { OtlpReceiver } from '@bot/testing';
import { signHubSignature, WebhookTask, WebhookTaskConsumer } from '@bot/webhooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually, GatewayHarness, githubExample, startGateway } from './support/api-gateway.harness';

const SERVER = 2;
const CONSUMER = 5;

describe('api-gateway: traces of a webhook delivery, continued by the consumer', () => {
  let receiver: OtlpReceiver;
  let gateway: GatewayHarness;

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    gateway = await startGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  });
  afterAll(async () => {
    await gateway?.close();
    await receiver?.stop();
  });

  it('request span → webhook.enqueue span whose traceparent is stored with the task → the consumer\'s span under it', async () => {
    const deliveryId = randomUUID();
    const proxyTraceId = randomBytes(16).toString('hex');
    const proxySpanId = randomBytes(8).toString('hex');
    const response = await fetchWithTraceparent(gateway, deliveryId, `00-${proxyTraceId}-${proxySpanId}-01`);
    expect(response.status).toBe(200);

    const [task] = await gateway.sql<{ id: string; traceparent: string }>(`SELECT id::text AS id, traceparent FROM webhook_tasks WHERE delivery_id = $1`, [deliveryId]);
    const [, traceId, enqueueSpanId] = task.traceparent.split('-');
    expect(traceId).toBe(proxyTraceId);

    const processed: WebhookTask[] = [];
    const consumer = new WebhookTaskConsumer({ databaseUrl: gateway.database.url, queues: ['github'], handler: async (claimed) => void processed.push(claimed), pollIntervalMs: 100 });
    await consumer.start();
    try {
      await eventually(() => processed.length === 1);
    } finally {
      await consumer.stop();
    }
    expect(processed[0].traceparent).toBe(task.traceparent);
    await gateway.app.get(Tracing).flush();

    const spans = receiver.trace(traceId);
    const server = spans.find((span) => span.kind === SERVER)!;
    expect(server).toMatchObject({ service: 'api-gateway', name: 'POST /webhooks/github', parentSpanId: proxySpanId });
    expect(server.attributes).toMatchObject({ 'http.route': '/webhooks/github', 'http.response.status_code': 200, 'bot.platform': 'github' });
    const enqueue = spans.find((span) => span.name === 'webhook.enqueue')!;
    expect(enqueue).toMatchObject({ spanId: enqueueSpanId, parentSpanId: server.spanId });
    expect(enqueue.attributes).toMatchObject({ 'bot.platform': 'github', 'bot.event_type': 'issues', 'bot.task_id': task.id, 'bot.duplicate': false });
    const consumed = spans.find((span) => span.kind === CONSUMER)!;
    expect(consumed).toMatchObject({ name: 'webhook.process github', parentSpanId: enqueueSpanId });
    expect(consumed.attributes).toMatchObject({ 'bot.task_id': task.id, 'bot.queue': 'github' });
  });
});

/** A signed GitHub delivery that reached us through a proxy which traces (GitHub itself sends no traceparent). */
function fetchWithTraceparent(gateway: GatewayHarness, deliveryId: string, traceparent: string): Promise<Response> {
  const body = JSON.stringify(githubExample('issues', 'opened'));
  return fetch(`${gateway.url}/webhooks/github`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': signHubSignature(gateway.config.github!.webhookSecret!, body),
      traceparent,
    },
  });
}
