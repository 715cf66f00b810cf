import { Clock } from '@bot/providers';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { WebhookQueue } from '../queue/webhook-task';
import { WebhookTaskRepository } from '../queue/webhook-task.repository';

/** At most one NOTIFY per this many milliseconds; consumers also poll, so a lost wake-up only delays. */
const MIN_INTERVAL_MS = 10;

/**
 * Wakes consumers after tasks are committed, coalescing bursts. NOTIFY is kept out of the enqueue
 * transaction on purpose: PostgreSQL serialises the commits of notifying transactions (a global lock held
 * through commit), which would cap deliveries per second at one WAL flush each.
 */
@Injectable()
export class TaskEnqueuedNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger('TaskEnqueuedNotifier');
  private readonly pending = new Set<WebhookQueue>();
  private timer?: NodeJS.Timeout;
  private lastSentAt = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly tasks: WebhookTaskRepository,
    private readonly clock: Clock,
  ) {}

  /** Schedules a wake-up of `queue`'s consumers. */
  notify(queue: WebhookQueue): void {
    this.pending.add(queue);
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + MIN_INTERVAL_MS - this.clock.now().getTime());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      await this.flush();
    }
    await this.sending;
  }

  private flush(): Promise<void> {
    this.timer = undefined;
    this.lastSentAt = this.clock.now().getTime();
    const queues = [...this.pending];
    this.pending.clear();
    this.sending = Promise.all(
      queues.map((queue) => this.tasks.notifyEnqueued(queue).catch((error: Error) => this.logger.warn(`NOTIFY for ${queue} failed (consumers will poll): ${error.message}`))),
    ).then(() => undefined);
    return this.sending;
  }
}
