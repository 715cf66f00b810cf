import { AppConfig } from '@bot/config';
import { AuditEventRepository, Installation, InstallationRepository, OAuthStateRepository, Platform } from '@bot/installations';
import { Clock, InstallCallbackError, PendingInstall, ProviderRegistry } from '@bot/providers';
import { HealthEventOutbox, installationUpsertEvents } from '@bot/health-events';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CallbackQueryDto } from './dto/callback-query.dto';
import { InvalidStateError, ProviderDeniedError, ReturnToNotAllowedError } from './install.errors';

const STATE_TTL_MS = 10 * 60 * 1000;

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
  ) {}

  /** The provider URL that starts an install, with a new single-use state stored for it. */
  async start(platformName: string, returnTo?: string): Promise<string> {
    const provider = this.providers.get(platformName);
    if (returnTo !== undefined && !this.returnToAllowed(returnTo)) {
      throw new ReturnToNotAllowedError('return_to is not on the allow-list (OAUTH_RETURN_TO_ALLOWLIST)');
    }
    const now = this.clock.now();
    await this.states.purgeExpired(now);
    return provider.authorizationUrl(async (codeVerifier) => {
      const state = randomBytes(32).toString('base64url');
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
  }

  /** Completes a provider callback: consumes the state, exchanges, and stores the installations all or nothing. */
  async complete(platformName: string, query: CallbackQueryDto): Promise<InstallOutcome> {
    const provider = this.providers.get(platformName);
    const platform = provider.platform;

    if (!query.state) {
      // An install begun on the platform's own site comes back without our state; its provider says what that means.
      const pending = provider.unsolicitedCallback({ installationId: query.installation_id, code: query.code, error: query.error });
      if (pending) return { ...pending, platform, displayName: provider.displayName };
      if (query.error) throw this.denied(provider.displayName, query);
      throw new InvalidStateError('the callback has no state; start the install again from /oauth/install/' + platform);
    }
    if (!query.error && provider.callbackNeedsCode && !query.code) {
      throw new InstallCallbackError(`the ${provider.displayName} callback has no code`);
    }

    const pending = await this.states.consume(query.state);
    if (!pending) throw new InvalidStateError('the state is unknown or was already used; start the install again');
    if (pending.expiresAt.getTime() <= this.clock.now().getTime()) throw new InvalidStateError('the state has expired; start the install again');
    if (pending.platform !== platform) {
      throw new InvalidStateError(`the state was issued for ${pending.platform}, not ${platform}`);
    }
    if (query.error) throw this.denied(provider.displayName, query);

    const granted = await provider.completeInstall({
      code: query.code,
      codeVerifier: pending.codeVerifier,
      installationId: query.installation_id,
      redirectUri: pending.redirectUri ?? this.callbackUrl(platform),
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
    for (const row of saved) this.logger.log(`${platform} installation ${row.id} stored for ${row.externalOrgName ?? row.externalOrgId}`);
    const returnTo = typeof pending.metadata['return_to'] === 'string' ? pending.metadata['return_to'] : undefined;
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
