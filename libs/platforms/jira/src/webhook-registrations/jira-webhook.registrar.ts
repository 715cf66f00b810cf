import { AppConfig } from '@bot/config';
import { AuditEventRepository, Installation, InstallationRepository, WebhookRegistration, WebhookRegistrationRepository } from '@bot/installations';
import { Clock, HookReport } from '@bot/providers';
import { InstallationToken, TokenService } from '@bot/tokens';
import { Injectable, Logger } from '@nestjs/common';
import { JiraListedWebhook, JiraWebhookApi } from './jira-webhook.api';

/** Jira keeps a dynamic webhook for 30 days unless it is refreshed. */
export const JIRA_WEBHOOK_LIFETIME_MS = 30 * 24 * 3600_000;
/** Registrations expiring sooner than this are refreshed by the renewal job. */
export const JIRA_WEBHOOK_RENEW_WITHIN_MS = 7 * 24 * 3600_000;
/** Waits before retrying a failed registration or renewal, by consecutive failures (the last one repeats). */
export const JIRA_WEBHOOK_RETRY_BACKOFF_MS = [5 * 60_000, 15 * 60_000, 3600_000, 3 * 3600_000, 6 * 3600_000];

export type RenewalOutcome = 'refreshed' | 'reregistered' | 'failed' | 'skipped';
/** What checking a registration that is not due came to; `unchecked` when Jira could not be asked. */
export type CheckOutcome = 'known' | 'reregistered' | 'failed' | 'skipped' | 'unchecked';

const STEP = 'webhook_registrations';

/**
 * Keeps one installation's Jira dynamic webhooks alive: registers them on install, refreshes them before they
 * expire, re-registers what Jira lost, deletes them on revoke. Every outcome is an audit event and is stored on
 * the registration (a failure with its retry time, which the admin API shows).
 */
@Injectable()
export class JiraWebhookRegistrar {
  private readonly logger = new Logger('JiraWebhooks');

  constructor(
    private readonly config: AppConfig,
    private readonly api: JiraWebhookApi,
    private readonly tokens: TokenService,
    private readonly registrations: WebhookRegistrationRepository,
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly clock: Clock,
  ) {}

  /** Where Jira delivers: api-gateway's public `/webhooks/jira`. */
  deliveryUrl(): string {
    return `${this.config.webhookPublicBaseUrl}/webhooks/jira`;
  }

  /** Registers the configured webhooks on the installation's site, replacing an earlier registration of it. */
  async register(installation: Installation): Promise<HookReport> {
    const previous = await this.registrations.forInstallation(installation.id);
    try {
      const token = await this.tokens.getToken(installation.id, { platform: 'jira' });
      const registration = await this.registerWith(installation, token, previous?.status === 'deleted' ? [] : (previous?.externalIds ?? []));
      await this.audit.record({
        event: 'jira.webhook.registered',
        platform: 'jira',
        installationId: installation.id,
        detail: { webhook_ids: registration.externalIds, url: registration.url, events: registration.events, jql_filter: registration.filter, expires_at: iso(registration.expiresAt) },
      });
      return { step: STEP, ok: true, detail: `registered Jira webhook ${registration.externalIds.join(', ')} for ${registration.url}, expiring ${iso(registration.expiresAt)}` };
    } catch (error) {
      return this.failed(installation, 'register', error as Error, previous);
    }
  }

  /**
   * The renewal job's step for a due registration: refreshes it when Jira still has every webhook, re-registers
   * when Jira lost one (or when it was never registered, or the delivery URL changed).
   */
  async renew(registration: WebhookRegistration): Promise<RenewalOutcome> {
    const installation = await this.installations.findById(registration.installationId);
    if (!installation || installation.status !== 'active') return 'skipped';
    try {
      const token = await this.tokens.getToken(installation.id, { platform: 'jira' });
      const ids = registration.externalIds;
      const listed = ids.length > 0 ? await this.api.list(installation.externalOrgId, token.accessToken) : [];
      const lost = lostIds(registration, listed);
      if (this.needsRegistration(registration, lost)) {
        await this.reregister(installation, token, registration, lost);
        return 'reregistered';
      }
      const expiresAt = await this.api.refresh(installation.externalOrgId, token.accessToken, ids);
      await this.registrations.save({ installationId: installation.id, platform: 'jira', expiresAt, status: 'active', failures: 0, lastError: null, retryAt: null, renewedAt: this.clock.now() });
      await this.audit.record({ event: 'jira.webhook.refreshed', platform: 'jira', installationId: installation.id, detail: { webhook_ids: ids, expires_at: iso(expiresAt), previous_expires_at: iso(registration.expiresAt) } });
      return 'refreshed';
    } catch (error) {
      await this.failed(installation, 'renew', error as Error, registration);
      return 'failed';
    }
  }

  /**
   * The renewal job's step for a registration that is not due: re-registers it, as `renew` does, when Jira lost
   * one of its webhooks or the delivery URL changed; one Jira still knows is left alone (refreshing it early
   * would only cost a call, the job refreshes it once it is due).
   */
  async check(registration: WebhookRegistration): Promise<CheckOutcome> {
    const installation = await this.installations.findById(registration.installationId);
    if (!installation || installation.status !== 'active') return 'skipped';
    let token: InstallationToken;
    let listed: JiraListedWebhook[];
    try {
      token = await this.tokens.getToken(installation.id, { platform: 'jira' });
      listed = await this.api.list(installation.externalOrgId, token.accessToken);
    } catch (error) {
      // Not being able to ask says nothing about the registration, so it is not marked failing (that would also
      // make it due and refresh it early); the next round asks again.
      this.logger.warn(`could not list the Jira webhooks of installation ${installation.id}: ${(error as Error).message}`);
      return 'unchecked';
    }
    const lost = lostIds(registration, listed);
    if (!this.needsRegistration(registration, lost)) return 'known';
    try {
      await this.reregister(installation, token, registration, lost);
      return 'reregistered';
    } catch (error) {
      // Recorded as a failed renewal, like a due one's: the row turns `failing` and `due` retries it with backoff.
      await this.failed(installation, 'renew', error as Error, registration);
      return 'failed';
    }
  }

  /** Deletes the installation's webhooks at Jira before its tokens are erased; reports, never throws. */
  async unregister(installation: Installation): Promise<HookReport> {
    const registration = await this.registrations.forInstallation(installation.id);
    if (!registration || registration.status === 'deleted' || registration.externalIds.length === 0) {
      if (registration && registration.status !== 'deleted') await this.registrations.save({ installationId: installation.id, platform: 'jira', status: 'deleted', retryAt: null });
      return { step: STEP, ok: true, detail: 'no Jira webhook was registered for this site' };
    }
    const ids = registration.externalIds;
    try {
      const token = await this.tokens.getToken(installation.id, { platform: 'jira' });
      await this.api.delete(installation.externalOrgId, token.accessToken, ids);
      await this.registrations.save({ installationId: installation.id, platform: 'jira', status: 'deleted', externalIds: [], expiresAt: null, lastError: null, retryAt: null });
      await this.audit.record({ event: 'jira.webhook.deleted', platform: 'jira', installationId: installation.id, detail: { webhook_ids: ids } });
      return { step: STEP, ok: true, detail: `deleted Jira webhook ${ids.join(', ')}` };
    } catch (error) {
      const reason = (error as Error).message;
      // The ids stay on the row so an operator sees what is left at Jira; it stops delivering when it expires.
      await this.registrations.save({ installationId: installation.id, platform: 'jira', status: 'deleted', lastError: `deletion failed: ${reason}`, retryAt: null });
      await this.audit.record({ event: 'jira.webhook.delete_failed', platform: 'jira', installationId: installation.id, detail: { webhook_ids: ids, reason } });
      this.logger.warn(`could not delete the Jira webhooks of installation ${installation.id}: ${reason}`);
      return { step: STEP, ok: false, detail: `could not delete Jira webhook ${ids.join(', ')} (${reason}); Jira stops delivering it when it expires on ${iso(registration.expiresAt)}` };
    }
  }

  private needsRegistration(registration: WebhookRegistration, lost: number[]): boolean {
    return registration.externalIds.length === 0 || lost.length > 0 || registration.url !== this.deliveryUrl() || registration.status === 'deleted';
  }

  /** Registers the site again (deleting the webhooks Jira still has of it, so it never delivers twice) and records what was lost. */
  private async reregister(installation: Installation, token: InstallationToken, registration: WebhookRegistration, lost: number[]): Promise<void> {
    const ids = registration.externalIds;
    const renewed = await this.registerWith(installation, token, ids.filter((id) => !lost.includes(id)));
    await this.audit.record({
      event: 'jira.webhook.reregistered',
      platform: 'jira',
      installationId: installation.id,
      detail: { lost_webhook_ids: lost, previous_webhook_ids: ids, webhook_ids: renewed.externalIds, url: renewed.url, expires_at: iso(renewed.expiresAt), previous_failures: registration.failures },
    });
  }

  /** Registers anew (after deleting `replacing` at Jira, best effort, so the site never delivers twice) and stores it. */
  private async registerWith(installation: Installation, token: InstallationToken, replacing: number[]): Promise<WebhookRegistration> {
    const cloudId = installation.externalOrgId;
    if (replacing.length > 0) {
      await this.api.delete(cloudId, token.accessToken, replacing).catch((error: Error) => this.logger.warn(`could not delete replaced Jira webhooks of ${installation.id}: ${error.message}`));
    }
    const settings = this.settings();
    const url = this.deliveryUrl();
    const result = await this.api.register(cloudId, token.accessToken, url, [settings]);
    if (result.ids.length === 0) throw new Error(`Jira registered no webhook: ${result.errors.join('; ') || 'no reason given'}`);
    const listed = await this.api.list(cloudId, token.accessToken).catch(() => []);
    const expiries = listed.filter((webhook) => result.ids.includes(webhook.id) && webhook.expiresAt).map((webhook) => (webhook.expiresAt as Date).getTime());
    const now = this.clock.now();
    const expiresAt = new Date(expiries.length > 0 ? Math.min(...expiries) : now.getTime() + JIRA_WEBHOOK_LIFETIME_MS);
    return this.registrations.save({
      installationId: installation.id,
      platform: 'jira',
      url,
      externalIds: result.ids,
      events: settings.events,
      filter: settings.jqlFilter,
      expiresAt,
      status: 'active',
      failures: 0,
      lastError: result.errors.length > 0 ? `Jira refused part of the registration: ${result.errors.join('; ')}` : null,
      retryAt: null,
      renewedAt: now,
    });
  }

  private async failed(installation: Installation, operation: 'register' | 'renew', error: Error, previous: WebhookRegistration | null): Promise<HookReport> {
    const failures = (previous?.status === 'deleted' ? 0 : (previous?.failures ?? 0)) + 1;
    const retryAt = new Date(this.clock.now().getTime() + JIRA_WEBHOOK_RETRY_BACKOFF_MS[Math.min(failures, JIRA_WEBHOOK_RETRY_BACKOFF_MS.length) - 1]);
    const settings = this.settings();
    await this.registrations.save({
      installationId: installation.id,
      platform: 'jira',
      url: previous?.url ?? this.deliveryUrl(),
      events: previous?.events.length ? previous.events : settings.events,
      filter: previous?.filter ?? settings.jqlFilter,
      externalIds: previous?.status === 'deleted' ? [] : (previous?.externalIds ?? []),
      status: 'failing',
      failures,
      lastError: `${operation} failed: ${error.message}`,
      retryAt,
    });
    await this.audit.record({
      event: 'jira.webhook.renewal_failed',
      platform: 'jira',
      installationId: installation.id,
      detail: { operation, reason: error.message, failures, retry_at: retryAt.toISOString(), webhook_ids: previous?.externalIds ?? [] },
    });
    this.logger.warn(`Jira webhooks of installation ${installation.id}: ${operation} failed (${failures} in a row), retrying after ${retryAt.toISOString()}: ${error.message}`);
    return { step: STEP, ok: false, detail: `could not ${operation} the Jira webhooks (${error.message}); retried after ${retryAt.toISOString()}` };
  }

  private settings() {
    if (!this.config.jira) throw new Error('Jira is not configured');
    return { events: this.config.jira.webhooks.events, jqlFilter: this.config.jira.webhooks.jqlFilter };
  }
}

/** The registration's webhook ids that Jira's list no longer has. */
function lostIds(registration: WebhookRegistration, listed: JiraListedWebhook[]): number[] {
  return registration.externalIds.filter((id) => !listed.some((webhook) => webhook.id === id));
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}
