import { InstallationLifecycleRepository } from '@bot/installations';
import { ObservabilityModule } from '@bot/observability';
import { Clock } from '@bot/providers';
import { TokenRevocationModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import type { Pool as PgPool, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';
import { pgExecutor } from '../queue/sql-executor';
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
/** The `pg` Pool under a TypeORM PostgreSQL DataSource, looked up per query (it exists once the DataSource is initialised). */
function typeOrmPool(dataSource: DataSource): Pick<PgPool, 'query'> {
  const pool = () => (dataSource.driver as unknown as { master: PgPool }).master;
  return { query: ((config: QueryConfig) => pool().query(config)) as PgPool['query'] };
}

@Module({
  imports: [TokenRevocationModule, ObservabilityModule],
  providers: [
    // Straight on TypeORM's pg pool: the batched insert runs as a prepared statement, which TypeORM cannot do.
    { provide: WebhookTaskRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new WebhookTaskRepository(pgExecutor(typeOrmPool(dataSource))) },
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
