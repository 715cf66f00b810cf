import { InstallationLifecycleRepository } from '@bot/installations';
import { ObservabilityModule } from '@bot/observability';
import { Clock } from '@bot/providers';
import { TokenRevocationModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import type { Pool as PgPool } from 'pg';
import { DataSource } from 'typeorm';
import { pgExecutor, typeOrmExecutor } from '../queue/sql-executor';
import { WebhookTaskRepository } from '../queue/webhook-task.repository';
import { RawBodyReader } from './raw-body.reader';
import { TaskBatcher } from './task-batcher';
import { TaskEnqueuedNotifier } from './task-enqueued.notifier';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookQueueGauges } from './webhook-queue.gauges';

/**
 * The queue on the `pg` Pool under the app's TypeORM DataSource (initialised before it is injected), so the
 * batched insert can be a prepared statement, which TypeORM cannot do; through TypeORM if there is no pool.
 */
function webhookTaskRepository(dataSource: DataSource): WebhookTaskRepository {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  return new WebhookTaskRepository(pool ? pgExecutor(pool) : typeOrmExecutor(dataSource));
}

/**
 * What every platform's webhook part builds on: the raw-body reader, the durable intake (batcher, notifier), the
 * lifecycle repository and the queue gauges. One instance per app, shared by the platforms' webhook modules that
 * import it.
 */
@Module({
  imports: [TokenRevocationModule, ObservabilityModule],
  providers: [
    { provide: WebhookTaskRepository, inject: [DataSource], useFactory: webhookTaskRepository },
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
