import { AppConfig } from '@bot/config';
import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { PLATFORMS } from '@bot/installations';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { OAuthExceptionFilter, wantsHtml } from '../http/oauth-exception.filter';
import { PageRenderer } from '../pages/page.renderer';
import { CallbackQueryDto, InstallQueryDto } from './dto/callback-query.dto';
import { InstallService } from './install.service';
import { StateCookie } from './state-cookie';

/** `/oauth/install/:platform` and `/oauth/callback/:platform`. */
@ApiTags('install')
@UseGuards(ThrottlerGuard)
@SkipThrottle({ 'admin-login': true })
@UseFilters(OAuthExceptionFilter)
@Controller('oauth')
export class InstallController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly installs: InstallService,
    private readonly pages: PageRenderer,
    config: AppConfig,
  ) {
    this.secureCookies = config.baseUrl.startsWith('https:');
  }

  @Get('install/:platform')
  @ApiOperation({ summary: 'Start an install: 302 to the provider with a new single-use state' })
  @ApiParam({ name: 'platform', enum: PLATFORMS })
  @ApiResponse({ status: 302, description: 'Redirect to the provider' })
  async install(@Param('platform') platform: string, @Query() query: InstallQueryDto, @Res() response: Response): Promise<void> {
    const started = await this.installs.start(platform, query.return_to);
    if (started.stateTransport === 'cookie') new StateCookie(platform).set(response, started.state, this.secureCookies);
    response.redirect(302, started.url);
  }

  @Get('callback/:platform')
  @ApiOperation({ summary: 'Provider callback: consumes the state, exchanges the code, stores the installation(s)' })
  @ApiParam({ name: 'platform', enum: PLATFORMS })
  @ApiResponse({ status: 200, description: '{ success: true, installation_id } (Jira: also installation_ids). Sentry: also completes installs begun on sentry.io (no state), as Sentry documents' })
  @ApiResponse({ status: 202, description: 'GitHub install begun on github.com: recorded from the installation webhook' })
  @ApiResponse({ status: 400, description: 'Provider error, bad/expired/reused state, unknown platform, bad callback' })
  @ApiResponse({ status: 502, description: 'The provider failed; nothing was stored' })
  async callback(@Param('platform') platform: string, @Query() query: CallbackQueryDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const cookie = new StateCookie(platform);
    const cookieState = cookie.read(request);
    if (cookieState !== undefined) cookie.clear(response, this.secureCookies);
    const outcome = await this.installs.complete(platform, query, cookieState);
    if (outcome.kind === 'pending') {
      if (wantsHtml(request)) {
        response.status(202).type('html').send(this.pages.pending(outcome.heading, outcome.page));
      } else {
        response.status(202).json({ success: true, pending: true, message: outcome.message });
      }
      return;
    }
    const ids = outcome.installations.map((installation) => installation.id);
    if (outcome.returnTo) {
      const target = new URL(outcome.returnTo);
      target.searchParams.set('platform', outcome.platform);
      target.searchParams.set('installation_id', ids[0]);
      response.redirect(302, target.toString());
      return;
    }
    if (wantsHtml(request)) {
      response
        .status(200)
        .type('html')
        .send(this.pages.installed(outcome.displayName, outcome.installations.map((i) => ({ name: i.externalOrgName ?? i.externalOrgId, id: i.id }))));
      return;
    }
    response.status(200).json({ success: true, installation_id: ids[0], ...(outcome.grantsSeveral ? { installation_ids: ids } : {}) });
  }
}
