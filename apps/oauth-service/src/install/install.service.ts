import { AppConfig } from '@bot/config';
import { AuditEventRepository, Installation, InstallationRepository, OAuthState, OAuthStateRepository, Platform } from '@bot/installations';
import { InstallationHookRunner } from '@bot/platforms';
import { Clock, InstallationProvider, InstallCallbackError, PendingInstall, ProviderRegistry, StateTransport } from '@bot/providers';
import { HealthEventOutbox, installationUpsertEvents } from '@bot/health-events';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CallbackQueryDto } from './dto/callback-query.dto';
import { InvalidStateError, ProviderDeniedError, ReturnToNotAllowedError } from './install.errors';

/** How long a state (and a state cookie) lives. */
export const STATE_TTL_MS = 10 * 60 * 1000;

/** A started install: where to send the browser, and the state when it travels in a cookie rather than the URL. */
export interface StartedInstall {
  url: string;
  state: string;
  stateTransport: StateTransport;
}

export type InstallOutcome =
  | { kind: 'installed'; platform: Platform; displayName: string; grantsSeveral: boolean; installations: Installation[]; returnTo?: string }
  | (PendingInstall & { platform: Platform; displayName: string });

/** Install and callback: states, provider exchanges and the upsert of the resulting installations. */
@Injectable()
export class InstallService {
  private readonly logger = new Logger('InstallService');

  constructor(
    private readonly config: AppConfig,
    private readonly providers: ProviderRegistry,
    private readonly states: OAuthStateRepository,
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly events: HealthEventOutbox,
    private readonly hooks: InstallationHookRunner,
  ) {}

  /** The provider URL that starts an install, with a new single-use state stored for it. */
  async start(platformName: string, returnTo?: string): Promise<StartedInstall> {
    const provider = this.providers.get(platformName);
    if (returnTo !== undefined && !this.returnToAllowed(returnTo)) {
      throw new ReturnToNotAllowedError('return_to is not on the allow-list (OAUTH_RETURN_TO_ALLOWLIST)');
    }
    const now = this.clock.now();
    await this.states.purgeExpired(now);
    let issued: string | undefined;
    const url = await provider.authorizationUrl(async (codeVerifier) => {
      const state = randomBytes(32).toString('base64url');
      issued = state;
      await this.states.create({
        state,
        platform: provider.platform,
        codeVerifier: codeVerifier ?? null,
        redirectUri: this.callbackUrl(provider.platform),
        metadata: returnTo ? { return_to: returnTo } : {},
        expiresAt: new Date(now.getTime() + STATE_TTL_MS),
      });
      return state;
    });
    if (!issued) throw new Error(`the ${provider.displayName} provider built an authorization URL without a state`);
    return { url, state: issued, stateTransport: provider.stateTransport };
  }

  /**
   * Completes a provider callback: consumes the state (from the query, or the cookie `/oauth/install` set for
   * platforms that do not return it), exchanges, and stores the installations all or nothing.
   */
  async complete(platformName: string, query: CallbackQueryDto, cookieState?: string): Promise<InstallOutcome> {
    const provider = this.providers.get(platformName);
    const platform = provider.platform;
    const state = query.state ?? (provider.stateTransport === 'cookie' ? cookieState : undefined);
    const installationId = query.installation_id ?? query.installationId;

    if (!state) {
      // An install begun on the platform's own site comes back without our state; its provider says what that means.
      const unsolicited = provider.unsolicitedCallback({ installationId, organization: query.orgSlug, code: query.code, error: query.error });
      if (unsolicited === 'complete' && !query.error) return this.install(provider, query, null);
      if (unsolicited && unsolicited !== 'complete') return { ...unsolicited, platform, displayName: provider.displayName };
      if (query.error) throw this.denied(provider.displayName, query);
      throw new InvalidStateError('the callback has no state; start the install again from /oauth/install/' + platform);
    }
    if (!query.error && provider.callbackNeedsCode && !query.code) {
      throw new InstallCallbackError(`the ${provider.displayName} callback has no code`);
    }

    const pending = await this.states.consume(state);
    if (!pending) throw new InvalidStateError('the state is unknown or was already used; start the install again');
    if (pending.expiresAt.getTime() <= this.clock.now().getTime()) throw new InvalidStateError('the state has expired; start the install again');
    if (pending.platform !== platform) {
      throw new InvalidStateError(`the state was issued for ${pending.platform}, not ${platform}`);
    }
    if (query.error) throw this.denied(provider.displayName, query);
    return this.install(provider, query, pending);
  }

  /** The exchange and the all-or-nothing upsert; `pending` is the consumed state, null for an install without one. */
  private async install(provider: InstallationProvider, query: CallbackQueryDto, pending: OAuthState | null): Promise<InstallOutcome> {
    const platform = provider.platform;
    if (provider.callbackNeedsCode && !query.code) throw new InstallCallbackError(`the ${provider.displayName} callback has no code`);
    const granted = await provider.completeInstall({
      code: query.code,
      codeVerifier: pending?.codeVerifier ?? null,
      installationId: query.installation_id ?? query.installationId,
      organization: query.orgSlug,
      redirectUri: pending?.redirectUri ?? this.callbackUrl(platform),
    });

    const saved = await this.dataSource.transaction(async (manager) => {
      const rows: Installation[] = [];
      for (const values of granted) {
        const { installation, created, previous } = await this.installations.upsertLive({ ...values, platform }, manager);
        await this.events.appendAll(manager, installationUpsertEvents(installation, previous, { installed_by: installation.installedBy, scopes: installation.scopes }));
        await this.audit.record(
          {
            event: created ? 'installation.installed' : 'installation.reinstalled',
            platform,
            installationId: installation.id,
            actor: values.installedBy ?? null,
            detail: { external_org_id: installation.externalOrgId, scopes: installation.scopes },
          },
          manager,
        );
        rows.push(installation);
      }
      return rows;
    });
    for (const row of saved) {
      this.logger.log(`${platform} installation ${row.id} stored for ${row.externalOrgName ?? row.externalOrgId}`);
      // After the commit: platform work such as webhook registration never undoes an install (it reports and retries).
      await this.hooks.afterInstall(row);
    }
    const returnTo = typeof pending?.metadata['return_to'] === 'string' ? pending.metadata['return_to'] : undefined;
    return { kind: 'installed', platform, displayName: provider.displayName, grantsSeveral: provider.grantsSeveral, installations: saved, returnTo };
  }

  private denied(displayName: string, query: CallbackQueryDto): ProviderDeniedError {
    const code = /^[a-z_]{1,64}$/.test(query.error ?? '') ? (query.error as string) : 'error';
    return new ProviderDeniedError(code, `${displayName} did not approve the install (${code}); nothing was stored`);
  }

  private callbackUrl(platform: Platform): string {
    return `${this.config.baseUrl}/oauth/callback/${platform}`;
  }

  private returnToAllowed(returnTo: string): boolean {
    let url: URL;
    try {
      url = new URL(returnTo);
    } catch {
      return false;
    }
    return this.config.returnToAllowlist.some((allowed) => url.origin === allowed.origin && url.pathname.startsWith(allowed.pathname));
  }
}
