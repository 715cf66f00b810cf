import { AppConfig } from '@bot/config';
import { PgNotificationWaker } from '@bot/database';
import { HealthEventEndpoint } from '@bot/installations';
import { Clock } from '@bot/providers';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { HealthEventEndpointRepository } from '../endpoints/health-event-endpoint.repository';
import { HealthEventBody, StoredHealthEvent } from '../health-event';
import { HEALTH_EVENT_APPENDED_CHANNEL } from '../outbox/health-event.outbox';
import { ClaimedDelivery, HealthEventDeliveryRepository } from './health-event-delivery.repository';
import { HealthEventSender } from './health-event.sender';
import { HealthEventSigner } from './health-event.signer';

/** Deliveries claimed per round (sent in parallel). */
const BATCH_SIZE = 10;
/** Events fanned out per round. */
const FAN_OUT_BATCH = 100;
/** Longest sleep when nothing is due and no notification arrives (also bounds how late an expired claim is seen). */
const IDLE_POLL_MS = 5000;
/** Longest delay between two attempts of one delivery. */
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Delay after the `attempt`-th failed attempt: base, 2×base, 4×base … at most an hour. */
export function healthEventRetryDelay(attempt: number, baseMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends the outbox: fans new events out to every endpoint, claims due deliveries with SKIP LOCKED (so any number
 * of replicas can run one each), POSTs each signed body and records the outcome with exponential backoff for 24
 * hours, then `failed`. Wakes on the `health_event_appended` notification and polls as a fallback. Delivery is at
 * least once: a dispatcher killed mid-delivery leaves its claim to expire, and the event is sent again with the
 * same id, so receivers dedupe on it.
 */
@Injectable()
export class HealthEventDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HealthEvents');
  readonly dispatcherId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private notifications?: PgNotificationWaker;
  private loop?: Promise<void>;
  private stopped = false;
  private lastPurge = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: HealthEventDeliveryRepository,
    private readonly endpoints: HealthEventEndpointRepository,
    private readonly signer: HealthEventSigner,
    private readonly sender: HealthEventSender,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.endpoints.syncConfigured(this.config.eventWebhooks.urls);
    // Made here, not in the constructor: the database URL is settled once the app has resolved its database.
    const notifications = new PgNotificationWaker({
      databaseUrl: this.config.databaseUrl,
      applicationName: 'health-event-dispatcher:listen',
      channel: HEALTH_EVENT_APPENDED_CHANNEL,
      onLost: (reason) => this.logger.warn(`event notifications lost (${reason}); polling until reconnected`),
    });
    this.notifications = notifications;
    await notifications.connect().catch((error: Error) => {
      this.logger.warn(`cannot LISTEN for new events (${error.message}); polling every ${IDLE_POLL_MS} ms until it can`);
      notifications.reconnectLater();
    });
    this.loop = this.run(notifications);
  }

  /** Lets the deliveries in flight finish (each is bounded by EVENT_WEBHOOK_TIMEOUT_MS), then stops. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.notifications?.stop();
    await this.loop;
    await this.notifications?.close();
  }

  private async run(notifications: PgNotificationWaker): Promise<void> {
    while (!this.stopped) {
      notifications.beginRound();
      let sleepMs = IDLE_POLL_MS;
      try {
        await this.deliveries.releaseExpired();
        const fannedOut = await this.deliveries.fanOut(FAN_OUT_BATCH);
        const batch = await this.deliveries.claim(this.dispatcherId, BATCH_SIZE, this.config.eventWebhooks.timeoutMs + 5000);
        if (batch.length > 0) await this.send(batch);
        await this.purgeNowAndThen();
        if (fannedOut === FAN_OUT_BATCH || batch.length === BATCH_SIZE) continue;
        const due = await this.deliveries.nextDueAt();
        if (due) sleepMs = Math.max(0, Math.min(IDLE_POLL_MS, due.getTime() - this.clock.now().getTime() + 5));
      } catch (error) {
        if (this.stopped) return;
        this.logger.error(`dispatch round failed: ${(error as Error).message}`);
        sleepMs = 1000;
      }
      await notifications.sleep(sleepMs);
    }
  }

  private async send(batch: ClaimedDelivery[]): Promise<void> {
    const endpoints = new Map((await this.endpoints.findByIds([...new Set(batch.map((delivery) => delivery.endpointId))])).map((endpoint) => [endpoint.id, endpoint]));
    await Promise.all(batch.map((delivery) => this.deliver(delivery, endpoints.get(delivery.endpointId))));
  }

  private async deliver(delivery: ClaimedDelivery, endpoint: HealthEventEndpoint | undefined): Promise<void> {
    // Deleted since the claim: its deliveries went with it, nothing to record.
    if (!endpoint) return;
    const secret = endpoint.source === 'env' ? this.config.eventWebhooks.secret : endpoint.secret;
    const sentAt = this.clock.now();
    const body = JSON.stringify(toBody(delivery.event, sentAt));
    const outcome = secret
      ? await this.sender.post(
          endpoint.url,
          body,
          {
            'content-type': 'application/json',
            'user-agent': 'bot-health-events/1',
            'x-event-id': delivery.event.id,
            'x-event-type': delivery.event.type,
            'x-event-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'x-signature-256': this.signer.signature(secret, body),
          },
          this.config.eventWebhooks.timeoutMs,
        )
      : { ok: false, status: null, error: 'no signing secret: EVENT_WEBHOOK_SECRET is not set on the dispatching oauth-service' };

    const where = `${delivery.event.type} ${delivery.event.id} to endpoint ${endpoint.id} (${new URL(endpoint.url).origin})`;
    if (outcome.ok) {
      await this.deliveries.delivered(delivery.id, this.dispatcherId, outcome.status as number);
      this.logger.debug(`delivered ${where} at attempt ${delivery.attempts}`);
      return;
    }
    const retryInMs = healthEventRetryDelay(delivery.attempts, this.config.eventWebhooks.retryBaseMs);
    const status = await this.deliveries.attemptFailed(delivery.id, this.dispatcherId, outcome.status, outcome.error ?? 'failed', retryInMs);
    if (status === 'failed') this.logger.warn(`gave up on ${where} after ${delivery.attempts} attempts over 24 h: ${outcome.error}`);
    else this.logger.log(`attempt ${delivery.attempts} of ${where} failed (${outcome.error}); next in ${Math.round(retryInMs / 1000)} s`);
  }

  private async purgeNowAndThen(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    const purged = await this.deliveries.purgeOld();
    if (purged > 0) this.logger.log(`deleted ${purged} health events older than the retention period`);
  }
}

/** The wire form of an event for one attempt. */
function toBody(event: StoredHealthEvent, sentAt: Date): HealthEventBody {
  return {
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt.toISOString(),
    sent_at: sentAt.toISOString(),
    platform: event.platform,
    installation_id: event.installationId,
    org: { id: event.orgId, name: event.orgName },
    data: event.data,
  };
}
