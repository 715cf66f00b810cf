import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WebhookRejectedError } from './webhook.errors';

/**
 * Answers refused deliveries as `{ success: false, error: { code, message } }` with their status. Anything
 * unexpected (the database is down) is a 500 without details, so the platform retries the delivery later.
 */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Webhooks');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (error instanceof WebhookRejectedError) {
      this.logger.warn(`${request.method} ${request.path} refused (${error.status} ${error.code}): ${error.message}`);
      response.status(error.status).json({ success: false, error: { code: error.code, message: error.message } });
      return;
    }
    if (error instanceof HttpException) {
      response.status(error.getStatus()).json({ success: false, error: { code: 'bad_request', message: error.message } });
      return;
    }
    this.logger.error(`${request.method} ${request.path} failed, nothing was acknowledged: ${(error as Error)?.stack ?? String(error)}`);
    response.status(500).json({ success: false, error: { code: 'internal_error', message: 'internal error; the delivery was not stored, send it again' } });
  }
}
