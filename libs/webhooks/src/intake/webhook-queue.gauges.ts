import { PeriodicGauges, WebhookMetrics } from '@bot/observability';
import { Injectable } from '@nestjs/common';
import { WEBHOOK_QUEUES } from '../queue/webhook-task';
import { WebhookTaskRepository } from '../queue/webhook-task.repository';

/** `bot_webhook_queue_tasks` and `bot_webhook_queue_oldest_pending_age_seconds`, read from the queue table every 15 s. */
@Injectable()
export class WebhookQueueGauges extends PeriodicGauges {
  protected readonly enabled: boolean;

  constructor(
    private readonly tasks: WebhookTaskRepository,
    private readonly metrics: WebhookMetrics,
  ) {
    super();
    this.enabled = metrics.enabled;
  }

  protected async collect(): Promise<void> {
    const { queues } = await this.tasks.stats();
    this.metrics.queueState(queues, WEBHOOK_QUEUES, new Date());
  }
}
