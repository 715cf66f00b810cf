import { HealthEventDeliveryRepository, HealthEventEndpointRepository } from '@bot/health-events';
import { HEALTH_EVENT_DELIVERY_STATUSES } from '@bot/installations';
import { Clock } from '@bot/providers';
import { Controller, Get, Header, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ConsoleExceptionFilter } from '../http/console-exception.filter';
import { BIGINT_PATTERN, decodeCursor, encodeCursor } from '../paging/page-cursor';
import { ConsoleRequest, ConsoleSessionGuard } from '../session/console-session.guard';
import { ConsoleSessionSigner } from '../session/console-session.signer';
import { query } from '../views/format';
import { healthEventsPage } from '../views/health-events.view';
import { DeliveryIdParam, HealthEventsQuery } from './dto/health-events.query';

const PAGE_SIZE = 50;
const NOTICES = { retried: 'The delivery will be attempted again at once, with a new 24-hour window.', not_failed: 'That delivery is not failed (any more); nothing changed.' };

/** `/admin/events`: the health event outbox, its endpoints, and failed deliveries with retry. */
@ApiExcludeController()
@UseGuards(ConsoleSessionGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/events')
export class HealthEventsConsoleController {
  constructor(
    private readonly deliveries: HealthEventDeliveryRepository,
    private readonly endpoints: HealthEventEndpointRepository,
    private readonly sessions: ConsoleSessionSigner,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  async overview(@Query() params: HealthEventsQuery, @Req() request: ConsoleRequest): Promise<string> {
    const status = params.status ?? 'failed';
    const cursor = params.after ? decodeCursor(params.after, BIGINT_PATTERN) : undefined;
    const [summary, endpoints, page] = await Promise.all([
      this.deliveries.summary(),
      this.endpoints.list(),
      this.deliveries.list(status, PAGE_SIZE, cursor && { updatedAt: cursor.at, id: cursor.id }),
    ]);
    return healthEventsPage({
      now: this.clock.now(),
      csrf: this.sessions.csrfToken(request.consoleSession),
      summary,
      endpoints,
      status,
      statuses: HEALTH_EVENT_DELIVERY_STATUSES,
      deliveries: page.items,
      nextHref: page.next && `/admin/events${query({ status, after: encodeCursor({ at: page.next.updatedAt, id: page.next.id }) })}`,
      firstHref: params.after ? `/admin/events${query({ status })}` : null,
      notice: params.notice && NOTICES[params.notice],
    });
  }

  @Post('deliveries/:id/retry')
  async retry(@Param() { id }: DeliveryIdParam, @Res() response: Response): Promise<void> {
    const retried = await this.deliveries.retryFailed(id);
    response.redirect(303, `/admin/events${query({ status: 'failed', notice: retried ? 'retried' : 'not_failed' })}`);
  }
}
