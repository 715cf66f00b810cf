import { RawBodyReader, WebhookAcceptedDto, webhookAnswer, WebhookController } from '@bot/webhooks';
import { HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { SentryWebhooksService } from './sentry-webhooks.service';

/** `POST /webhooks/sentry`: Sentry integration-platform webhooks. */
@WebhookController()
export class SentryWebhooksController {
  constructor(
    private readonly bodies: RawBodyReader,
    private readonly sentry: SentryWebhooksService,
  ) {}

  @Post('sentry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sentry integration webhooks (installation, issue, error, comment, alerts); Sentry-Hook-Signature with SENTRY_CLIENT_SECRET' })
  @ApiHeader({ name: 'Sentry-Hook-Signature', required: true, description: 'hex HMAC-SHA256 of the raw body' })
  @ApiHeader({ name: 'Sentry-Hook-Resource', required: true, description: 'installation, issue, error, comment, event_alert, metric_alert' })
  @ApiHeader({ name: 'Request-ID', required: false, description: 'the delivery id (dedupe key)' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ type: WebhookAcceptedDto })
  async receiveSentry(@Req() request: Request): Promise<WebhookAcceptedDto> {
    return webhookAnswer(await this.sentry.receive(await this.bodies.read(request), request.headers), request);
  }
}
