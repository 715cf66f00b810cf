import { DeadLetterFilter, TaskPreview, WEBHOOK_QUEUES, WebhookTaskRepository } from '@bot/webhooks';
import { Injectable, NotFoundException } from '@nestjs/common';
import { decodeCursor, encodeCursor, BIGINT_PATTERN } from '../paging/page-cursor';

/** Dead letters per page. */
export const DEAD_LETTER_PAGE_SIZE = 50;
/** Payload characters shown on a task's page. */
export const PAYLOAD_PREVIEW_CHARS = 64 * 1024;

/** What the console's webhook queue pages read and the requeues they trigger. */
@Injectable()
export class WebhookQueueConsoleService {
  readonly queues = WEBHOOK_QUEUES;

  constructor(private readonly tasks: WebhookTaskRepository) {}

  /** Counts per queue and one page of dead letters. */
  async overview(filter: DeadLetterFilter, after?: string) {
    const cursor = after ? decodeCursor(after, BIGINT_PATTERN) : undefined;
    const [stats, dead] = await Promise.all([
      this.tasks.stats(),
      this.tasks.listDead(filter, DEAD_LETTER_PAGE_SIZE, cursor && { updatedAt: cursor.at, id: cursor.id }),
    ]);
    return { stats, dead: dead.items, next: dead.next && encodeCursor({ at: dead.next.updatedAt, id: dead.next.id }) };
  }

  /** How many dead letters "requeue all" would take back. */
  async countDead(filter: DeadLetterFilter): Promise<number> {
    const stats = await this.tasks.stats();
    if (!filter.eventType) return stats.queues.filter((row) => !filter.queue || row.queue === filter.queue).reduce((sum, row) => sum + row.dead, 0);
    return this.tasks.countDead(filter);
  }

  /** One task with its payload's start, pretty-printed when whole; 404 when unknown. */
  async task(id: string): Promise<{ preview: TaskPreview; payload: { text: string; pretty: boolean; truncated: boolean; maxChars: number } }> {
    const preview = await this.tasks.preview(id, PAYLOAD_PREVIEW_CHARS);
    if (!preview) throw new NotFoundException(`There is no webhook task ${id}.`);
    const truncated = preview.payloadLength > PAYLOAD_PREVIEW_CHARS;
    if (truncated) return { preview, payload: { text: preview.payloadText, pretty: false, truncated, maxChars: PAYLOAD_PREVIEW_CHARS } };
    let text = preview.payloadText;
    try {
      text = JSON.stringify(JSON.parse(preview.payloadText), null, 2);
    } catch {
      // Stored as delivered; show it as it is.
    }
    return { preview, payload: { text, pretty: true, truncated: false, maxChars: PAYLOAD_PREVIEW_CHARS } };
  }

  /** Requeues one dead task; false when it is not dead (already requeued, or never dead); 404 when unknown. */
  async requeue(id: string): Promise<boolean> {
    if (await this.tasks.requeueDead(id)) return true;
    if (!(await this.tasks.preview(id, 1))) throw new NotFoundException(`There is no webhook task ${id}.`);
    return false;
  }

  /** Requeues every dead task of the filter; returns how many. */
  requeueAll(filter: DeadLetterFilter): Promise<number> {
    return this.tasks.requeueDeadMatching(filter);
  }
}
