import { InvalidStateError, ProviderDeniedError, ReturnToNotAllowedError } from '../install/install.errors';
import { InstallCallbackError, PlatformNotConfiguredError, UnknownPlatformError, UpstreamError } from '@bot/providers';
import { noteRefusal } from '@bot/observability';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PageRenderer } from '../pages/page.renderer';

interface MappedError {
  status: number;
  code: string;
  message: string;
}

/**
 * Maps install-flow failures to a clear status and message: JSON by default, the failure page when the
 * client asks for HTML. Unexpected errors become a 500 without details.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuth');

  constructor(private readonly pages: PageRenderer) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const mapped = this.map(error);
    if (mapped.status >= 500) this.logger.warn(`${request.method} ${request.path} → ${mapped.status} ${mapped.code}: ${mapped.message}`);
    else noteRefusal(request, `${mapped.code}: ${mapped.message}`);
    if (wantsHtml(request)) {
      response.status(mapped.status).type('html').send(this.pages.failed(mapped.status, mapped.message));
      return;
    }
    response.status(mapped.status).json({ success: false, error: { code: mapped.code, message: mapped.message } });
  }

  private map(error: unknown): MappedError {
    if (error instanceof UnknownPlatformError) return { status: 400, code: 'unknown_platform', message: error.message };
    if (error instanceof PlatformNotConfiguredError) return { status: 404, code: 'platform_not_configured', message: error.message };
    if (error instanceof InvalidStateError) return { status: 400, code: 'invalid_state', message: error.message };
    if (error instanceof ProviderDeniedError) return { status: 400, code: error.providerError, message: error.message };
    if (error instanceof ReturnToNotAllowedError) return { status: 400, code: 'return_to_not_allowed', message: error.message };
    if (error instanceof InstallCallbackError) return { status: 400, code: 'invalid_callback', message: error.message };
    if (error instanceof UpstreamError) {
      return { status: 502, code: 'upstream_failure', message: `${error.message}; nothing was stored, start the install again` };
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const message =
        typeof body === 'object' && body && 'message' in body
          ? [body.message].flat().join('; ')
          : error.message;
      return { status: error.getStatus(), code: error.getStatus() === 429 ? 'rate_limited' : 'bad_request', message: String(message) };
    }
    this.logger.error({ msg: 'unexpected error', err: error });
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'internal error' };
  }
}

/** True when the client prefers HTML to JSON (a browser), false for API clients. */
export function wantsHtml(request: Request): boolean {
  return request.accepts(['json', 'html']) === 'html';
}
