import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ConsoleSignInRequired } from '../session/console-session.guard';
import { errorPage } from '../views/layout.view';

const TITLES: Record<number, string> = {
  400: 'That request is not valid',
  403: 'Refused',
  404: 'Not found',
  429: 'Too many attempts',
};

/**
 * Console failures as pages: no session → redirect to sign-in (keeping where the operator was going), HTTP
 * errors → a page with the status and our own message, anything else → 500 without details.
 */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof ConsoleSignInRequired) {
      response.redirect(303, `/admin/login${error.returnTo === '/admin' ? '' : `?next=${encodeURIComponent(error.returnTo)}`}`);
      return;
    }
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'Something went wrong on the server; the problem was logged.';
    if (error instanceof ThrottlerException) {
      status = 429;
      // The guard names its header after the throttler; clients and proxies know only the plain one.
      response.setHeader('Retry-After', String(response.getHeader('Retry-After-admin-login') ?? 60));
      message = 'Too many sign-in attempts from this address. Wait a minute, then try again.';
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      const body = error.getResponse();
      message = typeof body === 'object' && body && 'message' in body ? [body.message].flat().join('; ') : error.message;
    } else {
      this.logger.error(`${request.method} ${request.path}: ${(error as Error)?.stack ?? String(error)}`);
    }
    response.status(status).type('html').send(errorPage(status, TITLES[status] ?? 'Error', message));
  }
}
