import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PgNotificationWaker } from '@bot/database';
import { Pool } from 'pg';
import { pgExecutor } from './sql-executor';
import { WEBHOOK_TASK_ENQUEUED_CHANNEL, WebhookQueue, WebhookTask } from './webhook-task';
import { WebhookTaskRepository } from './webhook-task.repository';
import { taskTraceContext } from './webhook-task.trace';

/** What happened to a task (or the consumer), for logging. */
export type ConsumerEvent =
  | { kind: 'done'; task: WebhookTask }
  | { kind: 'retry'; task: WebhookTask; error: string; retryInMs: number }
  | { kind: 'dead'; task: WebhookTask; error: string }
  | { kind: 'lost'; task: WebhookTask }
  | { kind: 'error'; error: string };

export interface WebhookTaskConsumerOptions {
  databaseUrl: string;
  queues: readonly WebhookQueue[];
  /** Does the work; a thrown error (or rejection) fails the attempt. */
  handler: (task: WebhookTask) => Promise<void>;
  /** Recorded in `locked_by`; defaults to host:pid:random. */
  consumerId?: string;
  /** Tasks claimed per round trip (processed one after another). */
  batchSize?: number;
  /** How long a claim lasts; a task still unfinished then is released to other consumers. Must exceed the handler's time. */
  lockMs?: number;
  /** Poll interval when no notification arrives (notifications are a shortcut, never the only trigger). */
  pollIntervalMs?: number;
  /** Delay before attempt `attempt + 1` after attempt `attempt` failed. */
  retryDelayMs?: (attempt: number) => number;
  onEvent?: (event: ConsumerEvent) => void;
}

/** 1 s, 2 s, 4 s … doubling per failed attempt, capped at 10 minutes. */
export function exponentialBackoff(attempt: number, baseMs = 1000, capMs = 10 * 60 * 1000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * A worker of the durable webhook queue: LISTENs for `webhook_task_enqueued` to wake at once, polls as a
 * fallback, claims batches with SKIP LOCKED (so any number of consumers can run side by side), completes
 * tasks its handler finishes and fails the others into backoff retries and, after `max_attempts`, the
 * dead letter status. Delivery is at least once: a consumer killed mid-task leaves it to be retried when its
 * lock expires, so handlers must be idempotent (the task id and delivery id are stable keys).
 */
export class WebhookTaskConsumer {
  readonly consumerId: string;
  private readonly pool: Pool;
  private readonly tasks: WebhookTaskRepository;
  private readonly notifications: PgNotificationWaker;
  private loop?: Promise<void>;
  private stopped = false;
  private stopping?: Promise<void>;
  private nextRetryAt = Infinity;

  constructor(private readonly options: WebhookTaskConsumerOptions) {
    this.consumerId = options.consumerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'webhook-consumer' });
    this.pool.on('error', (error) => this.emit({ kind: 'error', error: `database pool: ${error.message}` }));
    this.tasks = new WebhookTaskRepository(pgExecutor(this.pool));
    this.notifications = new PgNotificationWaker({
      databaseUrl: options.databaseUrl,
      applicationName: 'webhook-consumer:listen',
      channel: WEBHOOK_TASK_ENQUEUED_CHANNEL,
      // The payload names the queue; a notification without one wakes every consumer.
      accept: (payload) => !payload || options.queues.includes(payload as WebhookQueue),
      onLost: (reason) => this.emit({ kind: 'error', error: `notifications lost (${reason}); polling until reconnected` }),
    });
  }

  /** Connects the listener and starts the claim loop. */
  async start(): Promise<void> {
    await this.notifications.connect();
    this.loop = this.run();
  }

  /** Finishes the task in hand, then stops and closes the connections; calling it again waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.notifications.stop();
      await this.loop;
      await this.notifications.close();
      await this.pool.end();
    })();
    return this.stopping;
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 10;
    const pollMs = this.options.pollIntervalMs ?? 5000;
    while (!this.stopped) {
      this.notifications.beginRound();
      let claimed = 0;
      try {
        await this.tasks.releaseExpired(this.options.queues);
        const batch = await this.tasks.claim(this.options.queues, this.consumerId, batchSize, this.options.lockMs ?? 5 * 60 * 1000);
        claimed = batch.length;
        for (const task of batch) await this.process(task);
      } catch (error) {
        this.emit({ kind: 'error', error: (error as Error).message });
        await this.sleep(Math.min(pollMs, 1000));
        continue;
      }
      if (claimed < batchSize) await this.sleep(Math.max(0, Math.min(pollMs, this.nextRetryAt - Date.now())));
    }
  }

  private async process(task: WebhookTask): Promise<void> {
    try {
      await this.handle(task);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryInMs = (this.options.retryDelayMs ?? exponentialBackoff)(task.attempts);
      const status = await this.tasks.fail(task.id, this.consumerId, message, retryInMs);
      if (status === 'pending') {
        this.nextRetryAt = Math.min(this.nextRetryAt, Date.now() + retryInMs);
        this.emit({ kind: 'retry', task, error: message, retryInMs });
      } else {
        this.emit(status === 'dead' ? { kind: 'dead', task, error: message } : { kind: 'lost', task });
      }
      return;
    }
    this.emit((await this.tasks.complete(task.id, this.consumerId)) ? { kind: 'done', task } : { kind: 'lost', task });
  }

  /**
   * Runs the handler in a span continuing the trace the task was queued in (the gateway's request). Without an
   * OpenTelemetry SDK registered in this process the span is a no-op.
   */
  private handle(task: WebhookTask): Promise<void> {
    const attributes = { 'bot.task_id': task.id, 'bot.queue': task.queue, 'bot.event_type': task.eventType, 'bot.attempt': task.attempts };
    return trace.getTracer('bot-webhook-consumer').startActiveSpan(`webhook.process ${task.queue}`, { kind: SpanKind.CONSUMER, attributes }, taskTraceContext(task), async (span) => {
      try {
        await this.options.handler(task);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 300) : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Waits `ms`, or less when a notification (or stop) arrives; a retry time the wait reaches is used up by it. */
  private sleep(ms: number): Promise<void> {
    if (!this.notifications.notified && this.nextRetryAt <= Date.now() + ms) this.nextRetryAt = Infinity;
    return this.notifications.sleep(ms);
  }

  private emit(event: ConsumerEvent): void {
    this.options.onEvent?.(event);
  }
}
