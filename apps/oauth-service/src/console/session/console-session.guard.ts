import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ConsoleCookies, SESSION_COOKIE } from './console-cookies';
import { ConsoleSession, ConsoleSessionSigner } from './console-session.signer';

/** A console request without a valid session: answered with a redirect to the sign-in page. */
export class ConsoleSignInRequired extends Error {
  constructor(readonly returnTo: string) {
    super('sign in to the operator console');
  }
}

/** A state-changing console form without this session's CSRF token. */
export class ConsoleCsrfRejected extends ForbiddenException {
  constructor() {
    super('This form is not from your current console session (missing or stale CSRF token). Reload the page and try again.');
  }
}

/** The request of a signed-in operator. */
export type ConsoleRequest = Request & { consoleSession: ConsoleSession };

/**
 * Lets a request through only with a valid signed session cookie; otherwise it is sent to the sign-in page. A
 * POST must also carry the session's CSRF token in `_csrf`.
 */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  constructor(
    private readonly signer: ConsoleSessionSigner,
    private readonly cookies: ConsoleCookies,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<ConsoleRequest>();
    const session = this.signer.read(this.cookies.read(request, SESSION_COOKIE));
    if (!session) throw new ConsoleSignInRequired(request.method === 'GET' ? request.originalUrl : '/admin');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const body = request.body as Record<string, unknown> | undefined;
      if (!this.signer.csrfMatches(session, body?.['_csrf'])) throw new ConsoleCsrfRejected();
    }
    request.consoleSession = session;
    return true;
  }
}
