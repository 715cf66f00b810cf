import { HEALTH_EVENT_DELIVERY_STATUSES, HealthEventDeliveryStatus } from '@bot/installations';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { EmptyAsUnset, IsCursor } from '../../paging/page-cursor';

/** `/admin/events`: which deliveries, which page, and a notice after a retry. */
export class HealthEventsQuery {
  @EmptyAsUnset() @IsOptional() @IsIn(HEALTH_EVENT_DELIVERY_STATUSES, { message: `status must be one of ${HEALTH_EVENT_DELIVERY_STATUSES.join(', ')}` })
  status?: HealthEventDeliveryStatus;

  @IsCursor()
  after?: string;

  @EmptyAsUnset() @IsOptional() @IsIn(['retried', 'not_failed'])
  notice?: 'retried' | 'not_failed';
}

/** A delivery id in a URL. */
export class DeliveryIdParam {
  @Matches(/^\d{1,19}$/, { message: 'delivery id must be a number' })
  id: string;
}
