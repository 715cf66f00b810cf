import { InstallationLifecycleRepository } from '@bot/installations';
import { ObservabilityModule } from '@bot/observability';
import { Clock } from '@bot/providers';
import { TokenRevocationModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { typeOrmExecutor } from '../queue/sql-executor';
import { WebhookTaskRepository } from '../queue/webhook-task.repository';
import { RawBodyReader } from './raw-body.reader';
import { TaskBatcher } from './task-batcher';
import { TaskEnqueuedNotifier } from './task-enqueued.notifier';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookQueueGauges } from './webhook-queue.gauges';

/**
 * What every platform's webhook part builds on: the raw-body reader, the durable intake (batcher, notifier), the
 * lifecycle repository and the queue gauges. One instance per app, shared by the platforms' webhook modules that
 * import it.
 */
@Module({
  imports: [TokenRevocationModule, ObservabilityModule],
  providers: [
    { provide: WebhookTaskRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new WebhookTaskRepository(typeOrmExecutor(dataSource)) },
    Clock,
    RawBodyReader,
    TaskBatcher,
    TaskEnqueuedNotifier,
    WebhookIntakeService,
    InstallationLifecycleRepository,
    WebhookQueueGauges,
  ],
  // ObservabilityModule too: the platforms' controllers use WebhookExceptionFilter, which counts refusals.
  exports: [Clock, RawBodyReader, WebhookIntakeService, InstallationLifecycleRepository, ObservabilityModule],
})
export class WebhookIntakeModule {}
