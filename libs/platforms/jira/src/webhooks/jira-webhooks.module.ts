import { WebhookIntakeModule } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { JiraWebhookRegistrationModule } from '../webhook-registrations/jira-webhook-registration.module';
import { JiraWebhookRenewalJob } from '../webhook-registrations/jira-webhook-renewal.job';
import { JiraWebhooksController } from './jira-webhooks.controller';
import { JiraWebhooksService } from './jira-webhooks.service';

/**
 * Jira's webhook part, mounted by api-gateway: `/webhooks/jira` and `/webhooks/jira/:installationId`, and the
 * scheduled job that renews the sites' dynamic webhooks and re-queues Jira's failed deliveries.
 */
@Module({
  imports: [WebhookIntakeModule, JiraWebhookRegistrationModule],
  controllers: [JiraWebhooksController],
  providers: [JiraWebhooksService, JiraWebhookRenewalJob],
  exports: [JiraWebhookRenewalJob],
})
export class JiraWebhooksModule {}
