import { Injectable } from '@nestjs/common';
import { EnqueueResult, InstallationRoute, NewWebhookTask } from '../queue/webhook-task';
import { EnqueueItem, WebhookTaskRepository } from '../queue/webhook-task.repository';

/** Rows per INSERT; large enough to absorb a burst, small enough that one statement stays quick. */
const MAX_BATCH_ROWS = 200;
/** Payload bytes per INSERT (one statement's parameters travel as one message). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Batches written at the same time (each holds one pooled connection while it commits). */
const MAX_IN_FLIGHT = 4;

interface Waiter {
  item: EnqueueItem;
  resolve(result: EnqueueResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for plain deliveries: every delivery that arrives while earlier batches are being written joins
 * the next INSERT, so a burst costs one statement and one WAL flush per batch instead of per delivery. Nothing
 * waits on a timer: when the database is idle a delivery is written at once (in the next event-loop turn),
 * and each caller's promise settles only after its batch has committed, so the 2xx still follows the commit.
 */
@Injectable()
export class TaskBatcher {
  private readonly waiting: Waiter[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly tasks: WebhookTaskRepository) {}

  /** Resolves once the task is committed (or known to be a duplicate). */
  enqueue(task: NewWebhookTask, route: InstallationRoute): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item: { task, route }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Deliveries parsed in the same event-loop turn go out together.
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.batchLength());
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private batchLength(): number {
    let bytes = 0;
    let count = 0;
    while (count < this.waiting.length && count < MAX_BATCH_ROWS) {
      bytes += this.waiting[count].item.task.payloadJson.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return count;
  }

  private async write(batch: Waiter[]): Promise<void> {
    try {
      const results = await this.tasks.enqueueMany(batch.map((waiter) => waiter.item));
      batch.forEach((waiter, index) => waiter.resolve(results[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // One delivery the database refuses must not fail the others: write them one by one.
      await Promise.all(batch.map((waiter) => this.tasks.enqueue(waiter.item.task, waiter.item.route).then(waiter.resolve, waiter.reject)));
    }
  }
}
