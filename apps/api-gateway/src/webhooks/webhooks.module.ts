import { Clock } from '@bot/providers';
import { typeOrmExecutor, WebhookTaskRepository } from '@bot/webhooks';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LifecycleModule } from '../lifecycle/lifecycle.module';
import { GitHubWebhooksService } from './github-webhooks.service';
import { JiraWebhooksService } from './jira-webhooks.service';
import { RawBodyReader } from './raw-body.reader';
import { SlackWebhooksService } from './slack-webhooks.service';
import { TaskBatcher } from './task-batcher';
import { TaskEnqueuedNotifier } from './task-enqueued.notifier';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookSignatureVerifier } from './webhook-signature.verifier';
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
