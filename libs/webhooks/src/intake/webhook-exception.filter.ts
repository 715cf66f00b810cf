import { noteRefusal, WebhookDeliveryOutcome, WebhookMetrics } from '@bot/observability';
import { WEBHOOK_QUEUES, WebhookQueue } from '../queue/webhook-task';
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

  constructor(private readonly metrics: WebhookMetrics) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const platform = platformOf(request);
    if (error instanceof WebhookRejectedError) {
      this.metrics.delivery(platform, refusalOutcome(error));
      noteRefusal(request, `${error.code}: ${error.message}`);
      // An unverifiable delivery may be an attack or a wrong secret: worth a warning. The rest is the sender's bad input.
      if (error.status === 401) this.logger.warn(`${request.method} ${request.path} refused (${error.status} ${error.code}): ${error.message}`);
      response.status(error.status).json({ success: false, error: { code: error.code, message: error.message } });
      return;
    }
    if (error instanceof HttpException) {
      this.metrics.delivery(platform, 'malformed');
      noteRefusal(request, error.message);
      response.status(error.getStatus()).json({ success: false, error: { code: 'bad_request', message: error.message } });
      return;
    }
    this.metrics.delivery(platform, 'failed');
    this.logger.error({ msg: `${request.method} ${request.path} failed, nothing was acknowledged`, err: error });
    response.status(500).json({ success: false, error: { code: 'internal_error', message: 'internal error; the delivery was not stored, send it again' } });
  }
}

function refusalOutcome(error: WebhookRejectedError): WebhookDeliveryOutcome {
  if (error.status === 401) return 'signature_refused';
  if (error.status === 413) return 'too_large';
  return error.code === 'incomplete_body' ? 'incomplete' : 'malformed';
}

/** The platform a delivery was sent for, from `/webhooks/<platform>…` (a bounded metric label). */
function platformOf(request: Request): WebhookQueue | 'unknown' {
  const segment = request.path.split('/')[2];
  return (WEBHOOK_QUEUES as readonly string[]).includes(segment) ? (segment as WebhookQueue) : 'unknown';
}
