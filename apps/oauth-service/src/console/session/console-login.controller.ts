import { AppConfig } from '@bot/config';
import { ApiKeyMatcher } from '@bot/crypto';
import { Body, Controller, Get, Logger, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ConsoleExceptionFilter } from '../http/console-exception.filter';
import { loginPage } from '../views/login.view';
import { ConsoleCookies, LOGIN_COOKIE, SESSION_COOKIE } from './console-cookies';
import { ConsoleSessionGuard } from './console-session.guard';
import { ConsoleSessionSigner } from './console-session.signer';
import { LoginForm, LoginQuery } from './dto/login.form';

const HOME = '/admin/installations';

/** Sign-in with the admin API key (rate-limited per client address), and sign-out. */
@ApiExcludeController()
@UseFilters(ConsoleExceptionFilter)
@Controller('admin')
export class ConsoleLoginController {
  private readonly logger = new Logger('Console');
  private readonly adminKey: ApiKeyMatcher;

  constructor(
    config: AppConfig,
    private readonly sessions: ConsoleSessionSigner,
    private readonly cookies: ConsoleCookies,
  ) {
    this.adminKey = new ApiKeyMatcher(config.adminApiKey);
  }

  @Get('login')
  showLogin(@Query() params: LoginQuery, @Req() request: Request, @Res() response: Response): void {
    if (this.sessions.read(this.cookies.read(request, SESSION_COOKIE))) {
      response.redirect(303, safeNext(params.next));
      return;
    }
    this.sendForm(response, 200, safeNext(params.next), undefined, params.signed_out ? 'You are signed out.' : undefined);
  }

  @Post('login')
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ oauth: true })
  signIn(@Body() form: LoginForm, @Req() request: Request, @Res() response: Response): void {
    const next = safeNext(form.next);
    if (!this.sessions.loginFormMatches(this.cookies.read(request, LOGIN_COOKIE), form._csrf)) {
      this.sendForm(response, 403, next, 'The sign-in form expired or did not come from this console. Enter the key again.');
      return;
    }
    if (!form.key || !this.adminKey.matches(form.key)) {
      this.logger.warn(`console sign-in refused for ${request.ip}: wrong admin key`);
      this.sendForm(response, 401, next, 'That is not the admin API key of this deployment.');
      return;
    }
    const { cookie } = this.sessions.issue();
    this.cookies.clearLoginForm(response);
    this.cookies.setSession(response, cookie);
    this.logger.log(`console sign-in from ${request.ip}`);
    response.redirect(303, next);
  }

  @Post('logout')
  @UseGuards(ConsoleSessionGuard)
  signOut(@Res() response: Response): void {
    this.cookies.clear(response);
    response.redirect(303, '/admin/login?signed_out=1');
  }

  private sendForm(response: Response, status: number, next: string, error?: string, notice?: string): void {
    const { token, cookie } = this.sessions.loginForm();
    this.cookies.setLoginForm(response, cookie);
    response.status(status).type('html').send(loginPage({ csrf: token, next, error, notice }));
  }
}

/** Only a console path of this origin; anything else (other hosts, `//evil`, the sign-in page) goes home. */
function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/admin/') || next.startsWith('/admin/login') || /[\\\s]/.test(next)) return HOME;
  const url = new URL(next, 'http://console.invalid');
  return url.origin === 'http://console.invalid' ? `${url.pathname}${url.search}` : HOME;
}
