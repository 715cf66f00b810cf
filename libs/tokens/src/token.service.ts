import { HealthEventOutbox } from '@bot/health-events';
import { AuditEventRepository, Installation, InstallationRepository, Platform } from '@bot/installations';
import { TokenMetrics, Tracing } from '@bot/observability';
import { Clock, ProviderRegistry, TokenSet, UpstreamError } from '@bot/providers';
import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { EntityManager } from 'typeorm';
import { InstallationTokenRepository } from './installation-token.repository';
import { CacheStamp, InstallationToken, TokenCache } from './token-cache';
import { platformMismatch, TokenError, unavailableInstallation } from './token.errors';

/** Tokens expiring sooner than this are refreshed before use. */
export const REFRESH_WINDOW_MS = 5 * 60_000;
/** A token this close to expiry is not handed out even when its refresh failed. */
const EXPIRY_MARGIN_MS = 10_000;
const REFRESH_BACKOFF_MS = [250, 1000];
/** At most one `token.refresh_failed` health event per installation in this window. */
const REFRESH_FAILED_EVENT_WINDOW_MS = 10 * 60_000;

type RefreshOutcome =
  | { kind: 'token'; row: Installation }
  | { kind: 'not-refreshable' }
  | { kind: 'error'; error: TokenError };

/**
 * Resolves an installation to a usable platform token: from memory when fresh, else from the database, else by
 * refreshing it (GitHub mints, Jira and rotating Slack use their refresh token) under a cross-process lock.
 */
@Injectable()
export class TokenService {
  private readonly logger = new Logger(TokenService.name);
  private readonly inFlight = new Map<string, Promise<InstallationToken | null>>();

  constructor(
    private readonly installations: InstallationRepository,
    private readonly tokens: InstallationTokenRepository,
    private readonly cache: TokenCache,
    private readonly providers: ProviderRegistry,
    private readonly audit: AuditEventRepository,
    private readonly clock: Clock,
    private readonly events: HealthEventOutbox,
    private readonly metrics: TokenMetrics,
    private readonly tracing: Tracing,
  ) {}

  /** A token of the active installation `installationId`, refreshed first when it expires within 5 minutes. */
  async getToken(installationId: string, options: { platform?: Platform } = {}): Promise<InstallationToken> {
    const cached = this.cache.get(installationId);
    if (cached && this.fresh(cached.expiresAt)) {
      if (options.platform && cached.platform !== options.platform) throw platformMismatch(installationId, cached.platform, options.platform);
      this.metrics.cacheHit();
      return cached;
    }
    this.metrics.cacheMiss();
    if (!this.tracing.enabled) return this.lookup(installationId, options);
    return this.tracing.inSpan('token.lookup', { 'bot.installation_id': installationId }, () => this.lookup(installationId, options));
  }

  /** The token from the database, refreshed first when it expires within 5 minutes. */
  private async lookup(installationId: string, options: { platform?: Platform }): Promise<InstallationToken> {
    const stamp = this.cache.stamp(installationId);
    const row = await this.installations.findById(installationId);
    this.assertUsable(row, installationId, options.platform);
    if (row.accessToken && this.fresh(row.tokenExpiresAt)) {
      const token = this.toToken(row, row.accessToken, stamp);
      this.cache.set(token);
      return token;
    }
    const refreshed = await this.singleFlight(row, undefined);
    if (!refreshed) throw new TokenError('installation_needs_reinstall', `installation ${installationId} has no usable token and nothing to refresh it with; install the app again`, installationId);
    return refreshed;
  }

  /**
   * False once the installation changed (revoke, suspension, refresh elsewhere) or the cache lease lapsed after
   * `token` was read: check right before sending it, and get a token again if false. No database round trip.
   */
  isCurrent(token: InstallationToken): boolean {
    return this.cache.isCurrent(token);
  }

  /** A token of the live installation of a platform org (e.g. a Jira cloud id or a Slack team id). */
  async getTokenByOrg(platform: Platform, externalOrgId: string): Promise<InstallationToken> {
    const row = await this.installations.findLiveByOrg(platform, externalOrgId);
    if (!row) throw new TokenError('installation_not_found', `no ${platform} installation for ${externalOrgId.slice(0, 100)}`, `${platform}:${externalOrgId.slice(0, 100)}`);
    return this.getToken(row.id, { platform });
  }

  /**
   * After the platform answered 401 to `rejectedToken`: a replacement token (refreshed once, or the one another
   * process already stored), or null when this installation's token cannot be refreshed.
   */
  async refreshRejected(installationId: string, rejectedToken: string): Promise<InstallationToken | null> {
    this.cache.invalidate(installationId);
    const row = await this.installations.findById(installationId);
    this.assertUsable(row, installationId);
    return this.singleFlight(row, rejectedToken);
  }

  /** Concurrent callers in this process share one refresh of an installation. */
  private singleFlight(row: Installation, rejectedToken: string | undefined): Promise<InstallationToken | null> {
    const running = this.inFlight.get(row.id);
    if (running) return running;
    const refresh = this.refresh(row, rejectedToken).finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, refresh);
    return refresh;
  }

  private async refresh(seen: Installation, rejectedToken: string | undefined): Promise<InstallationToken | null> {
    const stamp = this.cache.stamp(seen.id);
    const attributes = { 'bot.installation_id': seen.id, 'bot.platform': seen.platform, 'bot.after_rejection': rejectedToken !== undefined };
    const outcome = await this.tracing.inSpan('token.refresh', attributes, async (span) => {
      const waitStarted = performance.now();
      // Installations of one grant share a rotating refresh token, so they share one lock.
      const locked = await this.tokens.withRefreshLock(seen.oauthGrantId ?? seen.id, (manager) => {
        this.metrics.lockWaited(seen.platform, (performance.now() - waitStarted) / 1000);
        return this.refreshLocked(seen.id, rejectedToken, manager);
      });
      span?.setAttribute('bot.refresh_outcome', locked.kind === 'error' ? locked.error.code : locked.kind);
      return locked;
    });
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.kind === 'not-refreshable') return null;
    const token = this.toToken(outcome.row, outcome.row.accessToken as string, stamp);
    this.cache.set(token);
    return token;
  }

  /** Inside the refresh lock: re-read, and refresh only if nobody else did meanwhile. */
  private async refreshLocked(id: string, rejectedToken: string | undefined, manager: EntityManager): Promise<RefreshOutcome> {
    const row = await this.tokens.lockForRefresh(id, manager);
    if (!row) return { kind: 'error', error: new TokenError('installation_not_found', `installation ${id} does not exist`, id) };
    if (row.status !== 'active') return { kind: 'error', error: unavailableInstallation(id, row.status, row.statusReason) };
    const stillGood = Boolean(row.accessToken) && this.fresh(row.tokenExpiresAt);
    if (stillGood && (rejectedToken === undefined || row.accessToken !== rejectedToken)) return { kind: 'token', row };
    if (!this.refreshable(row)) {
      if (rejectedToken !== undefined) return { kind: 'not-refreshable' };
      return this.needsReinstall(row, `the ${row.platform} token expired and no refresh token is stored`, manager);
    }

    const provider = this.providers.get(row.platform);
    for (let attempt = 0; ; attempt++) {
      let tokens: TokenSet;
      try {
        tokens = await provider.refresh({ externalInstallId: row.externalInstallId, accessToken: row.accessToken, refreshToken: row.refreshToken });
      } catch (error) {
        if (this.grantRevoked(row, error)) {
          this.metrics.refreshed(row.platform, 'revoked');
          return this.needsReinstall(row, (error as Error).message, manager);
        }
        if (this.transient(error) && attempt < REFRESH_BACKOFF_MS.length) {
          await this.clock.delay(REFRESH_BACKOFF_MS[attempt]);
          continue;
        }
        return this.refreshFailed(row, error as Error, attempt + 1, rejectedToken, manager);
      }
      const ids = await this.tokens.storeTokens(row, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? null, expiresAt: tokens.expiresAt }, manager);
      for (const member of ids) {
        await this.audit.record(
          { event: 'token.refreshed', platform: row.platform, installationId: member, detail: { expires_at: tokens.expiresAt?.toISOString() ?? null, rotated: Boolean(tokens.refreshToken && tokens.refreshToken !== row.refreshToken), attempts: attempt + 1 } },
          manager,
        );
        await this.installations.notifyChanged(member, manager);
      }
      this.metrics.refreshed(row.platform, 'ok');
      this.logger.debug(`refreshed the ${row.platform} token of installation ${row.id} (${ids.length} installation(s) of its grant)`);
      return { kind: 'token', row: Object.assign(row, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? null, tokenExpiresAt: tokens.expiresAt }) };
    }
  }

  private async needsReinstall(row: Installation, reason: string, manager: EntityManager): Promise<RefreshOutcome> {
    const members = await this.tokens.markUnavailable(row, 'needs_reinstall', reason, manager);
    for (const member of members) {
      await this.audit.record({ event: 'token.refresh_failed', platform: row.platform, installationId: member.id, detail: { permanent: true, reason } }, manager);
      await this.installations.notifyChanged(member.id, manager);
    }
    await this.events.appendAll(
      manager,
      members.filter((member) => member.previousStatus !== 'needs_reinstall').map((member) => ({ type: 'installation.needs_reinstall' as const, installation: member, data: { reason } })),
    );
    this.logger.warn({ msg: `installation ${row.id} needs to be installed again: ${reason}`, installationId: row.id, platform: row.platform });
    return { kind: 'error', error: unavailableInstallation(row.id, 'needs_reinstall', reason) };
  }

  private async refreshFailed(row: Installation, error: Error, attempts: number, rejectedToken: string | undefined, manager: EntityManager): Promise<RefreshOutcome> {
    const transient = this.transient(error);
    this.metrics.refreshed(row.platform, transient ? 'transient_failure' : 'failed');
    await this.audit.record({ event: 'token.refresh_failed', platform: row.platform, installationId: row.id, detail: { permanent: false, transient, reason: error.message } }, manager);
    // Every request may retry a failing refresh while a platform is down: one event per window says enough.
    await this.events.appendUnlessRecent(manager, { type: 'token.refresh_failed', installation: row, data: { attempts, transient, reason: error.message } }, REFRESH_FAILED_EVENT_WINDOW_MS);
    this.logger.warn({ msg: `token refresh of installation ${row.id} failed: ${error.message}`, installationId: row.id, platform: row.platform, transient });
    // A refresh ahead of expiry that failed leaves a token that still works: keep serving it.
    if (transient && rejectedToken === undefined && row.accessToken && this.notExpired(row.tokenExpiresAt)) return { kind: 'token', row };
    const code = transient ? 'token_refresh_unavailable' : 'token_refresh_rejected';
    const message = `could not refresh the token of installation ${row.id}: ${error instanceof UpstreamError ? error.message : 'unexpected error'}`;
    return { kind: 'error', error: new TokenError(code, message, row.id) };
  }

  private assertUsable(row: Installation | null, id: string, platform?: Platform): asserts row is Installation {
    if (!row) throw new TokenError('installation_not_found', `installation ${id} does not exist`, id);
    if (platform && row.platform !== platform) throw platformMismatch(id, row.platform, platform);
    if (row.status !== 'active') throw unavailableInstallation(id, row.status, row.statusReason);
  }

  private grantRevoked(row: Installation, error: unknown): boolean {
    return error instanceof UpstreamError && this.providers.find(row.platform).grantRevoked(error);
  }

  private transient(error: unknown): boolean {
    if (!(error instanceof UpstreamError)) return false;
    if (error.failure === 'timeout' || error.failure === 'network' || error.failure === 'malformed') return true;
    return error.failure === 'http' && error.status !== undefined && (error.status >= 500 || error.status === 429);
  }

  private refreshable(row: Installation): boolean {
    return this.providers.find(row.platform).canRefresh(row);
  }

  private fresh(expiresAt: Date | null): boolean {
    return expiresAt === null || expiresAt.getTime() - this.clock.now().getTime() > REFRESH_WINDOW_MS;
  }

  private notExpired(expiresAt: Date | null): boolean {
    return expiresAt === null || expiresAt.getTime() - this.clock.now().getTime() > EXPIRY_MARGIN_MS;
  }

  private toToken(row: Installation, accessToken: string, stamp: CacheStamp): InstallationToken {
    return {
      stamp,
      installationId: row.id,
      platform: row.platform,
      externalOrgId: row.externalOrgId,
      accessToken,
      expiresAt: row.tokenExpiresAt,
      refreshable: this.refreshable(row),
      metadata: row.metadata,
    };
  }
}
