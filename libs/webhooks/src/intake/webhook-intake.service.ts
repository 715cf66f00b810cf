import { InstallationRepository, InstallationStatus } from '@bot/installations';
import { TokenCacheConfirmation, TokenRevocationBarrier } from '@bot/tokens';
import { Tracing, WebhookMetrics } from '@bot/observability';
import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { typeOrmExecutor } from '../queue/sql-executor';
import { EnqueueResult, InstallationRoute, NewWebhookTask, WebhookQueue } from '../queue/webhook-task';
import { WebhookTaskRepository } from '../queue/webhook-task.repository';
import { TaskBatcher } from './task-batcher';
import { TaskEnqueuedNotifier } from './task-enqueued.notifier';

/** What a lifecycle step changed; an installation it created is attached to the delivery's task. */
export interface LifecycleOutcome {
  installation?: { id: string; externalOrgId: string; externalInstallId: string | null };
}

/**
 * A change to an installation that a delivery causes. It runs in the transaction that inserts the task, only
 * for a delivery seen for the first time, and sees the installation the task was routed to (or null).
 */
export type LifecycleStep = (manager: EntityManager, routed: { installationId: string | null }) => Promise<LifecycleOutcome | void>;

/** A verified, parsed delivery ready to be queued. */
export interface Delivery {
  task: NewWebhookTask;
  route: InstallationRoute;
  lifecycle?: LifecycleStep;
}

export interface AcceptedDelivery {
  platform: WebhookQueue;
  duplicate: boolean;
  taskId: string | null;
  installationId: string | null;
  /** Present when the delivery revoked or suspended its installation: what the API processes confirmed. */
  tokenCaches?: TokenCacheConfirmation;
}

/** Statuses in which no token of the installation may be forwarded. */
const ACCESS_ENDED: InstallationStatus[] = ['revoked', 'suspended'];

/**
 * Turns a verified delivery into a committed task before the platform gets its 2xx: plain events through the
 * batcher (route + insert + dedupe in one statement shared with concurrent deliveries), lifecycle events in one
 * transaction with the change they cause, so neither can exist without the other and a redelivery changes
 * nothing twice. A lifecycle event that revoked or suspended its installation is answered only after the
 * TokenRevocationBarrier confirmed that no API process serves its token any more.
 */
@Injectable()
export class WebhookIntakeService {
  private readonly logger = new Logger('WebhookIntake');

  constructor(
    private readonly tasks: WebhookTaskRepository,
    private readonly batcher: TaskBatcher,
    private readonly dataSource: DataSource,
    private readonly notifier: TaskEnqueuedNotifier,
    private readonly installations: InstallationRepository,
    private readonly barrier: TokenRevocationBarrier,
    private readonly metrics: WebhookMetrics,
    private readonly tracing: Tracing,
  ) {}

  /** Queues the delivery (counted, timed, and traced as `webhook.enqueue` with its traceparent stored on the task). */
  async accept(delivery: Delivery): Promise<AcceptedDelivery> {
    const started = performance.now();
    const { platform, eventType } = delivery.task;
    const accepted = this.tracing.enabled
      ? await this.tracing.inSpan('webhook.enqueue', { 'bot.platform': platform, 'bot.event_type': eventType }, (span) => {
          delivery.task.traceparent = this.tracing.currentTraceparent();
          return this.enqueue(delivery).then((result) => {
            span?.setAttribute('bot.duplicate', result.duplicate);
            if (result.taskId) span?.setAttribute('bot.task_id', result.taskId);
            return result;
          });
        })
      : await this.enqueue(delivery);
    this.metrics.enqueued(platform, (performance.now() - started) / 1000);
    this.metrics.delivery(platform, accepted.duplicate ? 'duplicate' : 'queued');
    return accepted;
  }

  private async enqueue(delivery: Delivery): Promise<AcceptedDelivery> {
    const { task, route, lifecycle } = delivery;
    let result: EnqueueResult;
    let installationId: string | null = null;
    let endedAccess = false;
    if (!lifecycle) {
      result = await this.batcher.enqueue(task, route);
      if (!result.duplicate) installationId = result.installationId;
    } else {
      result = await this.dataSource.transaction(async (manager) => {
        const executor = typeOrmExecutor(manager);
        const enqueued = await this.tasks.enqueue(task, route, executor);
        if (enqueued.duplicate) return enqueued;
        installationId = enqueued.installationId;
        const before = installationId ? await this.installations.statusOf(installationId, manager) : null;
        const outcome = await lifecycle(manager, { installationId });
        // Whichever platform's step revoked or suspended the installation, the answer waits for the token caches.
        if (installationId && before && !ACCESS_ENDED.includes(before)) {
          const after = await this.installations.statusOf(installationId, manager);
          endedAccess = after !== null && ACCESS_ENDED.includes(after);
        }
        if (outcome?.installation && outcome.installation.id !== installationId) {
          installationId = outcome.installation.id;
          await this.tasks.attachInstallation(enqueued.taskId, outcome.installation, executor);
        }
        return enqueued;
      });
    }

    if (result.duplicate) {
      this.logger.debug(`${task.platform} delivery ${task.deliveryId} was seen before; not queued again`);
      return { platform: task.platform, duplicate: true, taskId: null, installationId: null };
    }
    this.notifier.notify(task.platform);
    const tokenCaches = endedAccess ? await this.barrier.confirm() : undefined;
    if (!installationId) {
      this.logger.warn(
        `${task.platform} ${task.eventType} delivery ${task.deliveryId} matches no live installation (${describeRoute(route)}); queued as task ${result.taskId} without one`,
      );
    }
    return { platform: task.platform, duplicate: false, taskId: result.taskId, installationId, ...(tokenCaches ? { tokenCaches } : {}) };
  }
}

function describeRoute(route: InstallationRoute): string {
  switch (route.by) {
    case 'none':
      return 'the payload names none';
    case 'external_org_ids':
      return `org ${route.values.join(' / ')}`;
    case 'external_install_id':
      return `installation ${route.value}`;
    case 'site_url':
      return `site ${route.value}`;
    case 'installation_id':
      return `installation ${route.value}`;
  }
}
