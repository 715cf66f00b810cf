import { HealthEventsModule } from '@bot/health-events';
import { WebhookIntakeModule } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { GitHubLifecycleService } from './github-lifecycle.service';
import { GitHubWebhooksController } from './github-webhooks.controller';
import { GitHubWebhooksService } from './github-webhooks.service';

/** GitHub's webhook part, mounted by api-gateway: `/webhooks/github` with its lifecycle events. */
@Module({
  imports: [WebhookIntakeModule, HealthEventsModule],
  controllers: [GitHubWebhooksController],
  providers: [GitHubWebhooksService, GitHubLifecycleService],
})
export class GitHubWebhooksModule {}
