import { GitHubWebhooksService } from '@bot/platform-github';
import { JiraWebhooksService } from '@bot/platform-jira';
import { SlackWebhooksService } from '@bot/platform-slack';
import { Clock } from '@bot/providers';
import { RawBodyReader, TaskBatcher, TaskEnqueuedNotifier, typeOrmExecutor, WebhookIntakeService, WebhookSignatureVerifier, WebhookTaskRepository } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { WebhooksController } from './webhooks.controller';

/** `POST /webhooks/{github,slack,jira}`: verification, routing, lifecycle and the durable task queue. */
@Module({
  imports: [LifecycleModule],
  controllers: [WebhooksController],
  providers: [
    { provide: WebhookTaskRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new WebhookTaskRepository(typeOrmExecutor(dataSource)) },
    Clock,
    RawBodyReader,
    WebhookSignatureVerifier,
    TaskBatcher,
    TaskEnqueuedNotifier,
    WebhookIntakeService,
    GitHubWebhooksService,
    SlackWebhooksService,
    JiraWebhooksService,
  ],
})
export class WebhooksModule {}
