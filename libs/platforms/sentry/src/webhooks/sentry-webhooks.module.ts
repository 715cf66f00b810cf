import { HealthEventsModule } from '@bot/health-events';
import { WebhookIntakeModule } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { SentryLifecycleService } from './sentry-lifecycle.service';
import { SentryWebhooksController } from './sentry-webhooks.controller';
import { SentryWebhooksService } from './sentry-webhooks.service';

/** Sentry's webhook part, mounted by api-gateway: `/webhooks/sentry` with its `installation` lifecycle. */
@Module({
  imports: [WebhookIntakeModule, HealthEventsModule],
  controllers: [SentryWebhooksController],
  providers: [SentryWebhooksService, SentryLifecycleService],
})
export class SentryWebhooksModule {}
