// Example consumer of the webhook task queue: prints every task as it arrives and marks it done.
//   npm run webhooks:print-tasks [-- --queues=github,slack] [-- --payload]
// Uses DATABASE_URL (or the embedded PostgreSQL of `npm start`). Ctrl-C finishes the task in hand and stops.
import { ConfigError, loadAppConfig } from '@bot/config';
import { resolveDatabase } from '@bot/database';
import { ConsumerEvent, WEBHOOK_QUEUES, WebhookQueue, WebhookTask, WebhookTaskConsumer } from '@bot/webhooks';

function queuesFromArgs(argv: string[]): WebhookQueue[] {
  const flag = argv.find((arg) => arg.startsWith('--queues='));
  if (!flag) return [...WEBHOOK_QUEUES];
  const queues = flag.slice('--queues='.length).split(',').filter(Boolean);
  const unknown = queues.filter((queue) => !(WEBHOOK_QUEUES as readonly string[]).includes(queue));
  if (unknown.length) throw new Error(`unknown queue(s) ${unknown.join(', ')}; the queues are ${WEBHOOK_QUEUES.join(', ')}`);
  return queues as WebhookQueue[];
}

function describeTask(task: WebhookTask): string {
  const event = task.action ? `${task.eventType}.${task.action}` : task.eventType;
  return `[task ${task.id}] ${task.platform} ${event} delivery=${task.deliveryId} installation=${task.installationId ?? 'none'} org=${task.externalOrgId ?? '-'} attempt=${task.attempts}/${task.maxAttempts} received=${task.receivedAt.toISOString()}`;
}

function log(event: ConsumerEvent): void {
  if (event.kind === 'error') console.error(`[consumer] ${event.error}`);
  if (event.kind === 'retry') console.error(`[task ${event.task.id}] failed (${event.error}); retry in ${event.retryInMs} ms`);
  if (event.kind === 'dead') console.error(`[task ${event.task.id}] failed (${event.error}); dead-lettered after ${event.task.attempts} attempts`);
  if (event.kind === 'lost') console.error(`[task ${event.task.id}] claim lost (lock expired); another consumer has it`);
}

async function main(): Promise<void> {
  const queues = queuesFromArgs(process.argv.slice(2));
  const printPayload = process.argv.includes('--payload');
  const config = loadAppConfig('api-gateway');
  const database = await resolveDatabase(config);
  const consumer = new WebhookTaskConsumer({
    databaseUrl: database.url,
    queues,
    handler: async (task) => {
      console.log(describeTask(task));
      if (printPayload) console.log(JSON.stringify(task.payload, null, 2));
    },
    onEvent: log,
  });
  await consumer.start();
  console.log(`[consumer] ${consumer.consumerId} waiting for tasks on ${queues.join(', ')} (Ctrl-C to stop)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.stop();
    await database.stop();
    console.log('[consumer] stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: Error) => {
  console.error(error instanceof ConfigError ? error.message : `print-tasks failed: ${error.message}`);
  process.exit(1);
});
