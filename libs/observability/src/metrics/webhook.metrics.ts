import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** What became of one webhook delivery. */
export type WebhookDeliveryOutcome = 'queued' | 'duplicate' | 'signature_refused' | 'malformed' | 'too_large' | 'incomplete' | 'failed';

/** One queue's tasks by status and its oldest pending delivery (what `WebhookTaskRepository` counts). */
export interface QueueState {
  queue: string;
  pending: number;
  processing: number;
  dead: number;
  /** When the oldest pending task's delivery arrived; null when none is pending. */
  oldestPendingAt: Date | null;
}

const QUEUE_STATUSES = ['pending', 'processing', 'dead'] as const;

/**
 * api-gateway's webhooks: `bot_webhook_deliveries_total` by platform and outcome, `bot_webhook_enqueue_duration_seconds`
 * (verified delivery → committed task), and the queue read from PostgreSQL: `bot_webhook_queue_tasks` by queue and
 * status (`status="dead"`: the dead letters) and `bot_webhook_queue_oldest_pending_age_seconds` by queue.
 */
@Injectable()
export class WebhookMetrics {
  readonly enabled: boolean;
  private readonly deliveries: Counter<'platform' | 'outcome'>;
  private readonly enqueueDuration: Histogram<'platform'>;
  private readonly tasks: Gauge<'queue' | 'status'>;
  private readonly oldestPendingAge: Gauge<'queue'>;

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    this.deliveries = registry.counter(
      'bot_webhook_deliveries_total',
      'Webhook deliveries by platform and outcome: queued, duplicate, signature_refused, malformed, too_large, incomplete, failed',
      ['platform', 'outcome'],
    );
    this.enqueueDuration = registry.histogram('bot_webhook_enqueue_duration_seconds', 'Time from a verified delivery to its committed task', ['platform']);
    this.tasks = registry.gauge('bot_webhook_queue_tasks', 'Tasks in the webhook queue by queue and status (pending, processing, dead)', ['queue', 'status']);
    this.oldestPendingAge = registry.gauge(
      'bot_webhook_queue_oldest_pending_age_seconds',
      'Time since the oldest pending task of a queue was received (0 when none is pending): how far consumers are behind',
      ['queue'],
    );
  }

  /** One delivery's outcome. */
  delivery(platform: string, outcome: WebhookDeliveryOutcome): void {
    if (this.enabled) this.deliveries.labels(platform, outcome).inc();
  }

  /** A delivery's task committed `seconds` after it was verified. */
  enqueued(platform: string, seconds: number): void {
    if (this.enabled) this.enqueueDuration.labels(platform).observe(seconds);
  }

  /** Replaces the queue gauges with `states` read at `now`; a queue missing from `states` reads 0 everywhere. */
  queueState(states: readonly QueueState[], queues: readonly string[], now: Date): void {
    if (!this.enabled) return;
    for (const queue of queues) {
      const state = states.find((candidate) => candidate.queue === queue);
      for (const status of QUEUE_STATUSES) this.tasks.labels(queue, status).set(state?.[status] ?? 0);
      const oldest = state?.oldestPendingAt;
      this.oldestPendingAge.labels(queue).set(oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0);
    }
  }
}
