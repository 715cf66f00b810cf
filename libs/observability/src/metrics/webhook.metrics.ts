import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** What became of one webhook delivery. */
export type WebhookDeliveryOutcome = 'queued' | 'duplicate' | 'signature_refused' | 'malformed' | 'too_large' | 'incomplete' | 'failed';

/** One row of the queue's state: tasks of a queue in a status and the age of the oldest of them. */
export interface QueueState {
  queue: string;
  status: string;
  tasks: number;
  oldestAgeSeconds: number;
}

/**
 * api-gateway's webhooks: `bot_webhook_deliveries_total` by platform and outcome, `bot_webhook_enqueue_duration_seconds`
 * (verified delivery → committed task), and the queue read from PostgreSQL: `bot_webhook_queue_tasks` and
 * `bot_webhook_queue_oldest_task_age_seconds` by queue and status (`status="dead"`: the dead letters).
 */
@Injectable()
export class WebhookMetrics {
  readonly enabled: boolean;
  private readonly deliveries: Counter<'platform' | 'outcome'>;
  private readonly enqueueDuration: Histogram<'platform'>;
  private readonly tasks: Gauge<'queue' | 'status'>;
  private readonly oldestAge: Gauge<'queue' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    this.deliveries = registry.counter(
      'bot_webhook_deliveries_total',
      'Webhook deliveries by platform and outcome: queued, duplicate, signature_refused, malformed, too_large, incomplete, failed',
      ['platform', 'outcome'],
    );
    this.enqueueDuration = registry.histogram('bot_webhook_enqueue_duration_seconds', 'Time from a verified delivery to its committed task', ['platform']);
    this.tasks = registry.gauge('bot_webhook_queue_tasks', 'Tasks in the webhook queue by queue and status (pending, processing, dead)', ['queue', 'status']);
    this.oldestAge = registry.gauge('bot_webhook_queue_oldest_task_age_seconds', 'Age of the oldest task by queue and status, since it was received (0 when there is none)', ['queue', 'status']);
  }

  /** One delivery's outcome. */
  delivery(platform: string, outcome: WebhookDeliveryOutcome): void {
    if (this.enabled) this.deliveries.labels(platform, outcome).inc();
  }

  /** A delivery's task committed `seconds` after it was verified. */
  enqueued(platform: string, seconds: number): void {
    if (this.enabled) this.enqueueDuration.labels(platform).observe(seconds);
  }

  /** Replaces the queue gauges; every queue × status not in `rows` reads 0. */
  queueState(rows: readonly QueueState[], queues: readonly string[], statuses: readonly string[]): void {
    if (!this.enabled) return;
    for (const queue of queues) {
      for (const status of statuses) {
        const row = rows.find((candidate) => candidate.queue === queue && candidate.status === status);
        this.tasks.labels(queue, status).set(row?.tasks ?? 0);
        this.oldestAge.labels(queue, status).set(row?.oldestAgeSeconds ?? 0);
      }
    }
  }
}
