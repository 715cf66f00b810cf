import { Clock } from '@bot/providers';
import { Controller, Get, Header, NotFoundException, Param, ParseUUIDPipe, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ConsoleExceptionFilter } from '../http/console-exception.filter';
import { query } from '../views/format';
import { installationDetailPage, installationListPage, revokeConfirmPage } from '../views/installations.view';
import { ConsoleRequest, ConsoleSessionGuard } from '../session/console-session.guard';
import { ConsoleSessionSigner } from '../session/console-session.signer';
import { ConsoleInstallationsService } from './console-installations.service';
import { ConsoleInstallationQuery, ConsoleInstallationsQuery } from './dto/console-installations.query';

const installationId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('There is no installation with that id.') });

const NOTICES = {
  revoked: { kind: 'ok', text: 'The installation was revoked and its tokens erased; no API process uses its token any more. The audit trail says what the platform did.' },
  revoked_unconfirmed: {
    kind: 'warn',
    text: 'The installation was revoked and its tokens erased, but not every API process confirmed dropping its token in time (see the logs of oauth-service); those that did not can use it until their lease runs out.',
  },
  already_revoked: { kind: 'warn', text: 'The installation had already been revoked; nothing changed.' },
} as const;

/** `/admin/installations`: the list with counts and filters, one installation, and revoke with a confirm step. */
@ApiExcludeController()
@UseGuards(ConsoleSessionGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin')
export class ConsoleInstallationsController {
  constructor(
    private readonly installations: ConsoleInstallationsService,
    private readonly sessions: ConsoleSessionSigner,
    private readonly clock: Clock,
  ) {}

  @Get()
  home(@Res() response: Response): void {
    response.redirect(303, '/admin/installations');
  }

  @Get('installations')
  @Header('content-type', 'text/html; charset=utf-8')
  async list(@Query() filter: ConsoleInstallationsQuery, @Req() request: ConsoleRequest): Promise<string> {
    const data = await this.installations.list(filter);
    const base = { platform: filter.platform, status: filter.status, q: filter.q };
    return installationListPage({
      now: this.clock.now(),
      csrf: this.sessions.csrfToken(request.consoleSession),
      platforms: this.installations.platforms,
      statuses: this.installations.statuses,
      counts: data.counts,
      filter: base,
      rows: data.rows,
      nextHref: data.next && `/admin/installations${query({ ...base, after: data.next })}`,
      previousHref: data.previous && `/admin/installations${query({ ...base, before: data.previous })}`,
    });
  }

  @Get('installations/:id')
  @Header('content-type', 'text/html; charset=utf-8')
  async show(@Param('id', installationId) id: string, @Query() params: ConsoleInstallationQuery, @Req() request: ConsoleRequest): Promise<string> {
    const data = await this.installations.detail(id, params.audit_after);
    return installationDetailPage({
      now: this.clock.now(),
      csrf: this.sessions.csrfToken(request.consoleSession),
      installation: data.installation,
      audit: data.audit,
      olderAuditHref: data.olderAudit && `/admin/installations/${id}${query({ audit_after: data.olderAudit })}#audit-heading`,
      newestAuditHref: params.audit_after ? `/admin/installations/${id}#audit-heading` : null,
      webhooks: data.webhooks,
      reinstallUrl: data.reinstallUrl,
      notice: params.notice && NOTICES[params.notice],
    });
  }

  @Get('installations/:id/revoke')
  @Header('content-type', 'text/html; charset=utf-8')
  async confirmRevoke(@Param('id', installationId) id: string, @Req() request: ConsoleRequest, @Res() response: Response): Promise<void> {
    const installation = await this.installations.find(id);
    if (installation.status === 'revoked') {
      response.redirect(303, `/admin/installations/${id}?notice=already_revoked`);
      return;
    }
    response.send(revokeConfirmPage({ csrf: this.sessions.csrfToken(request.consoleSession), installation }));
  }

  @Post('installations/:id/revoke')
  async revoke(@Param('id', installationId) id: string, @Res() response: Response): Promise<void> {
    const result = await this.installations.revoke(id);
    const notice = result.already_revoked ? 'already_revoked' : result.token_caches.confirmed ? 'revoked' : 'revoked_unconfirmed';
    response.redirect(303, `/admin/installations/${id}?notice=${notice}`);
  }
}
