import { HealthEventsModule } from '@bot/health-events';
import { WebhookIntakeModule } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { SlackLifecycleService } from './slack-lifecycle.service';
import { SlackWebhooksController } from './slack-webhooks.controller';
import { SlackWebhooksService } from './slack-webhooks.service';

/** Slack's webhook part, mounted by api-gateway: `/webhooks/slack` with its lifecycle events. */
@Module({
  imports: [WebhookIntakeModule, HealthEventsModule],
  controllers: [SlackWebhooksController],
  providers: [SlackWebhooksService, SlackLifecycleService],
})
export class SlackWebhooksModule {}
