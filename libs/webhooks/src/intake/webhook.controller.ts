import { observationOf } from '@bot/observability';
import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, ApiTags } from '@nestjs/swagger';
import { WebhookAcceptedDto, WebhookErrorDto } from './dto/webhook-answer.dto';
import { AcceptedDelivery } from './webhook-intake.service';
import { WebhookExceptionFilter } from './webhook-exception.filter';
import type { IncomingMessage } from 'node:http';

/** Class decorator of a platform's webhook controller: `/webhooks/…`, the shared refusals and their OpenAPI description. */
export function WebhookController(): ClassDecorator {
  return applyDecorators(
    ApiTags('webhooks'),
    ApiExtraModels(WebhookErrorDto),
    ApiResponse({ status: 400, description: 'Verified, but the body is not valid JSON / form', type: WebhookErrorDto }),
    ApiResponse({ status: 401, description: 'Missing or invalid signature; nothing stored', type: WebhookErrorDto }),
    ApiResponse({ status: 413, description: 'Body over WEBHOOK_BODY_LIMIT', type: WebhookErrorDto }),
    UseFilters(WebhookExceptionFilter),
    Controller('webhooks'),
  );
}

/**
 * The 200 answer to a delivery that was queued or recognised as a duplicate; the request's log line names the
 * platform and the installation the delivery was routed to.
 */
export function webhookAnswer(accepted: AcceptedDelivery, request: IncomingMessage): WebhookAcceptedDto {
  const observation = observationOf(request);
  if (observation) {
    observation.platform = accepted.platform;
    if (accepted.installationId) observation.installationId = accepted.installationId;
  }
  return { ok: true, duplicate: accepted.duplicate, task_id: accepted.taskId, ...(accepted.tokenCaches ? { token_caches: accepted.tokenCaches } : {}) };
}
