import { WEBHOOK_QUEUES, WebhookQueue } from '@bot/webhooks';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { EmptyAsUnset, IsCursor } from '../../paging/page-cursor';

/** Which dead letters: the filter of the list and of "requeue all". */
export class DeadLetterFilterFields {
  @EmptyAsUnset() @IsOptional() @IsIn(WEBHOOK_QUEUES, { message: `queue must be one of ${WEBHOOK_QUEUES.join(', ')}` })
  queue?: WebhookQueue;

  @EmptyAsUnset() @IsOptional() @IsString() @MaxLength(128, { message: 'event_type is limited to 128 characters' })
  event_type?: string;
}

export const QUEUE_NOTICES = ['requeued', 'requeued_all', 'not_dead'] as const;

/** `/admin/webhooks`: filter, page, and a notice after an action. */
export class WebhookQueueQuery extends DeadLetterFilterFields {
  @IsCursor()
  after?: string;

  @EmptyAsUnset() @IsOptional() @IsIn(QUEUE_NOTICES)
  notice?: (typeof QUEUE_NOTICES)[number];

  @EmptyAsUnset() @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  requeued?: number;
}

/** A task id in a URL: the bigserial as digits. */
export class TaskIdParam {
  @Matches(/^\d{1,19}$/, { message: 'task id must be a number' })
  id: string;
}
