import { AppConfig } from '@bot/config';
import { SingleRunnerLock } from '@bot/database';
import { AuditEventRepository, InstallationRepository, WebhookRegistration, WebhookRegistrationRepository } from '@bot/installations';
import { Clock } from '@bot/providers';
import { TokenService } from '@bot/tokens';
import { WebhookRejectedError } from '@bot/webhooks';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JiraWebhooksService } from '../webhooks/jira-webhooks.service';
import { JiraWebhookApi } from './jira-webhook.api';
import { CheckOutcome, JIRA_WEBHOOK_RENEW_WITHIN_MS, JiraWebhookRegistrar, RenewalOutcome } from './jira-webhook.registrar';

/**
 * What one run of the job did; `ran: false` when another replica held the lock. `known`: registrations not due
 * that Jira still has; `unchecked`: ones whose site could not be asked.
 */
export type JiraWebhookRun =
  | { ran: false }
  | {
      ran: true;
      refreshed: number;
      reregistered: number;
      failed: number;
      skipped: number;
      known: number;
      unchecked: number;
      requeued: number;
      duplicates: number;
      recoveryErrors: number;
    };

/** The first run after start waits at most this long (a restarted gateway catches up soon, not an interval later). */
const FIRST_RUN_DELAY_MS = 60_000;
const LOCK_NAME = 'jira-webhook-renewal';

/**
 * The scheduled job that keeps every site's Jira dynamic webhooks alive and recovers what Jira could not deliver.
 * It runs in api-gateway (see README): every replica schedules it, a PostgreSQL advisory lock lets exactly one of
 * them run at a time, and the others skip that round. Each round refreshes registrations expiring within 7 days,
 * re-registers lost or failed ones whose backoff has passed, checks that Jira still has the ones not due (and
 * re-registers those it lost), and re-queues Jira's failed deliveries through the same intake (and dedupe) as
 * live ones.
 */
@Injectable()
export class JiraWebhookRenewalJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JiraWebhookRenewal');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly lock: SingleRunnerLock,
    private readonly registrations: WebhookRegistrationRepository,
    private readonly registrar: JiraWebhookRegistrar,
    private readonly api: JiraWebhookApi,
    private readonly tokens: TokenService,
    private readonly webhooks: JiraWebhooksService,
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.jira?.webhooks.renewalIntervalMs ?? 0;
    if (interval === 0) return;
    const schedule = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce()
          .catch((error: Error) => this.logger.error(`Jira webhook renewal failed: ${error.message}`))
          .finally(() => {
            if (!this.stopped) schedule(interval);
          });
      }, delay);
      this.timer.unref();
    };
    schedule(Math.min(interval, FIRST_RUN_DELAY_MS));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round, if no other replica is running one. */
  async runOnce(): Promise<JiraWebhookRun> {
    if (!this.config.jira) return { ran: false };
    const run = await this.lock.runExclusive(LOCK_NAME, () => this.round());
    return run.ran ? run.result : { ran: false };
  }

  private async round(): Promise<JiraWebhookRun> {
    const now = this.clock.now();
    const counts = { refreshed: 0, reregistered: 0, failed: 0, skipped: 0, known: 0, unchecked: 0, requeued: 0, duplicates: 0, recoveryErrors: 0 };
    const horizon = new Date(now.getTime() + JIRA_WEBHOOK_RENEW_WITHIN_MS);
    // Read before the due ones are renewed: one refreshed below would otherwise be listed at Jira a second time.
    const notDue = await this.registrations.notDue('jira', horizon);
    const due = await this.registrations.due('jira', now, horizon);
    for (const registration of due) {
      const outcome: RenewalOutcome = await this.registrar.renew(registration);
      counts[outcome]++;
    }
    // Jira can drop a webhook long before it expires (a site admin, Jira itself), and nothing is delivered until
    // it is registered again; waiting until it is due would leave up to 23 days of silence. So every round lists
    // each site's webhooks once (`renew` lists the due ones): one paged GET per site, the same cadence as the
    // failed-delivery read below, which keeps a lost webhook's gap to one interval. Known ones are not refreshed.
    for (const registration of notDue) {
      const outcome: CheckOutcome = await this.registrar.check(registration);
      counts[outcome]++;
    }
    for (const registration of await this.registrations.live('jira')) {
      const recovered = await this.recover(registration);
      if (!recovered) counts.recoveryErrors++;
      else {
        counts.requeued += recovered.requeued;
        counts.duplicates += recovered.duplicates;
      }
    }
    if (due.length > 0 || counts.reregistered + counts.failed + counts.unchecked + counts.requeued > 0) this.logger.log(`Jira webhooks: ${JSON.stringify(counts)}`);
    return { ran: true, ...counts };
  }

  /** Re-queues what Jira reports it could not deliver to this site's registration since the stored cursor. */
  private async recover(registration: WebhookRegistration): Promise<{ requeued: number; duplicates: number } | undefined> {
    const installation = await this.installations.findById(registration.installationId);
    if (!installation || installation.status !== 'active') return { requeued: 0, duplicates: 0 };
    try {
      const token = await this.tokens.getToken(installation.id, { platform: 'jira' });
      const failures = await this.api.failed(installation.externalOrgId, token.accessToken, registration.failedCursor);
      if (failures.length === 0) return { requeued: 0, duplicates: 0 };
      let requeued = 0;
      let duplicates = 0;
      let withoutBody = 0;
      let unreadable = 0;
      for (const failure of failures) {
        if (failure.body === undefined) {
          withoutBody++;
          continue;
        }
        try {
          const accepted = await this.webhooks.requeueFailedDelivery(installation, failure.id, failure.body);
          if (accepted.duplicate) duplicates++;
          else requeued++;
        } catch (error) {
          // A body that is not a JSON object can never be queued; it must not hold the cursor back.
          if (!(error instanceof WebhookRejectedError)) throw error;
          unreadable++;
        }
      }
      const cursor = Math.max(registration.failedCursor ?? 0, ...failures.map((failure) => failure.failureTime));
      await this.registrations.save({ installationId: installation.id, platform: 'jira', failedCursor: cursor });
      await this.audit.record({
        event: 'jira.webhook.failed_requeued',
        platform: 'jira',
        installationId: installation.id,
        detail: { reported: failures.length, requeued, duplicates, without_body: withoutBody, unreadable, cursor: new Date(cursor).toISOString() },
      });
      return { requeued, duplicates };
    } catch (error) {
      this.logger.warn(`could not read the failed Jira deliveries of installation ${installation.id}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
