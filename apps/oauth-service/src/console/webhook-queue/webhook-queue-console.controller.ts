import { Clock } from '@bot/providers';
import { Body, Controller, Get, Header, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ConsoleExceptionFilter } from '../http/console-exception.filter';
import { ConsoleRequest, ConsoleSessionGuard } from '../session/console-session.guard';
import { ConsoleSessionSigner } from '../session/console-session.signer';
import { count, query } from '../views/format';
import { requeueConfirmPage, webhookQueuePage, webhookTaskPage } from '../views/webhook-queue.view';
import { DeadLetterFilterFields, TaskIdParam, WebhookQueueQuery } from './dto/webhook-queue.query';
import { WebhookQueueConsoleService } from './webhook-queue-console.service';

/** `/admin/webhooks`: queue counts, dead letters, one task, requeue of one or all of a filter. */
@ApiExcludeController()
@UseGuards(ConsoleSessionGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/webhooks')
export class WebhookQueueConsoleController {
  constructor(
    private readonly queue: WebhookQueueConsoleService,
    private readonly sessions: ConsoleSessionSigner,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  async overview(@Query() params: WebhookQueueQuery, @Req() request: ConsoleRequest): Promise<string> {
    const filter = { queue: params.queue, event_type: params.event_type };
    const data = await this.queue.overview({ queue: params.queue, eventType: params.event_type }, params.after);
    return webhookQueuePage({
      now: this.clock.now(),
      csrf: this.sessions.csrfToken(request.consoleSession),
      queues: this.queue.queues,
      stats: data.stats,
      filter,
      dead: data.dead,
      nextHref: data.next && `/admin/webhooks${query({ ...filter, after: data.next })}#dead-letters`,
      firstHref: params.after ? `/admin/webhooks${query(filter)}#dead-letters` : null,
      notice: noticeText(params),
    });
  }

  @Get('requeue')
  @Header('content-type', 'text/html; charset=utf-8')
  async confirmRequeueAll(@Query() params: DeadLetterFilterFields, @Req() request: ConsoleRequest): Promise<string> {
    const matching = await this.queue.countDead({ queue: params.queue, eventType: params.event_type });
    return requeueConfirmPage({ csrf: this.sessions.csrfToken(request.consoleSession), filter: { queue: params.queue, event_type: params.event_type }, matching });
  }

  @Post('requeue')
  async requeueAll(@Body() form: DeadLetterFilterFields, @Res() response: Response): Promise<void> {
    const requeued = await this.queue.requeueAll({ queue: form.queue, eventType: form.event_type });
    response.redirect(303, `/admin/webhooks${query({ queue: form.queue, event_type: form.event_type, notice: 'requeued_all', requeued: String(requeued) })}`);
  }

  @Get('tasks/:id')
  @Header('content-type', 'text/html; charset=utf-8')
  async task(@Param() { id }: TaskIdParam, @Query() params: WebhookQueueQuery, @Req() request: ConsoleRequest): Promise<string> {
    const { preview, payload } = await this.queue.task(id);
    return webhookTaskPage({ now: this.clock.now(), csrf: this.sessions.csrfToken(request.consoleSession), preview, payload, notice: noticeText(params) });
  }

  @Post('tasks/:id/requeue')
  async requeue(@Param() { id }: TaskIdParam, @Res() response: Response): Promise<void> {
    const requeued = await this.queue.requeue(id);
    response.redirect(303, `/admin/webhooks/tasks/${id}?notice=${requeued ? 'requeued' : 'not_dead'}`);
  }
}

function noticeText(params: WebhookQueueQuery): string | undefined {
  switch (params.notice) {
    case 'requeued':
      return 'The task is back in the queue with a fresh set of attempts.';
    case 'not_dead':
      return 'The task is not a dead letter (any more), so nothing was requeued.';
    case 'requeued_all':
      return `${count(params.requeued ?? 0)} dead letter${params.requeued === 1 ? ' was' : 's were'} requeued.`;
    default:
      return undefined;
  }
}
