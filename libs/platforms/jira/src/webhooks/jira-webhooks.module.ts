import { WebhookIntakeModule } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { JiraWebhooksController } from './jira-webhooks.controller';
import { JiraWebhooksService } from './jira-webhooks.service';

/** Jira's webhook part, mounted by api-gateway: `/webhooks/jira` and `/webhooks/jira/:installationId`. */
@Module({
  imports: [WebhookIntakeModule],
  controllers: [JiraWebhooksController],
  providers: [JiraWebhooksService],
})
export class JiraWebhooksModule {}
