import { AppConfig } from '@bot/config';
import {
  Clock,
  InstallationProvider,
  InstallCallback,
  InstallCallbackError,
  IssueState,
  PlatformHttpClient,
  PlatformResponse,
  ProviderInstallation,
  RevocationOutcome,
  StoredCredentials,
  TokenSet,
  UnsolicitedCallback,
  UpstreamError,
} from '@bot/providers';
import { Injectable } from '@nestjs/common';
import { sentryConfigured } from '../config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SentryToken {
  token?: unknown;
  refreshToken?: unknown;
  expiresAt?: unknown;
  scopes?: unknown;
}

interface SentryInstallation {
  uuid?: unknown;
  status?: unknown;
  organization?: { slug?: unknown; id?: unknown };
  app?: { slug?: unknown };
}

/**
 * A public integration of Sentry's integration platform. Sentry's install page takes no state of ours and
 * redirects to the integration's redirect URL with `code`, `installationId` and `orgSlug`; the code is exchanged at
 * `POST /api/0/sentry-app-installations/{installationId}/authorizations/` for a token that expires (8 hours) and a
 * refresh token that rotates (same endpoint, `grant_type=refresh_token`), and the install is confirmed with
 * `PUT /api/0/sentry-app-installations/{installationId}/ {status: installed}`. One installation per organization.
 */
@Injectable()
export class SentryIntegrationProvider extends InstallationProvider {
  readonly platform = 'sentry' as const;
  readonly displayName = 'Sentry';
  readonly installLabel = 'Add to Sentry';
  readonly buttonColor = '#362d59';
  override readonly stateTransport = 'cookie' as const;

  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
    private readonly clock: Clock,
  ) {
    super();
  }

  configured(): boolean {
    return sentryConfigured(this.config);
  }

  installSiteUrl(): string {
    return this.config.upstream.sentryBaseUrl;
  }

  /** Sentry's external install page; the state is issued (and travels in a cookie), the URL cannot carry it. */
  async authorizationUrl(issueState: IssueState): Promise<string> {
    await issueState(undefined);
    return `${this.config.upstream.sentryBaseUrl}/sentry-apps/${encodeURIComponent(this.app().appSlug)}/external-install/`;
  }

  /**
   * An install begun in Sentry's own integration directory comes back with `code` and `installationId` and no
   * state of ours; Sentry documents completing it from those (the code is single use and only our client secret
   * can exchange it), so it is completed like one we started.
   */
  override unsolicitedCallback(callback: UnsolicitedCallback): 'complete' | undefined {
    return !callback.error && callback.code && callback.installationId ? 'complete' : undefined;
  }

  async completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]> {
    if (!callback.code) throw new InstallCallbackError('Sentry callback has no code');
    if (!callback.installationId || !UUID.test(callback.installationId)) throw new InstallCallbackError('Sentry callback has no installationId');
    const uuid = callback.installationId;
    const tokens = await this.authorize('token exchange', uuid, { grant_type: 'authorization_code', code: callback.code });
    const installation = await this.verify(uuid, tokens.accessToken);
    const orgSlug = typeof installation.organization?.slug === 'string' ? installation.organization.slug : callback.organization;
    if (!orgSlug) throw new UpstreamError('Sentry', 'malformed', 'Sentry installation verification answer names no organization');
    return [
      {
        externalOrgId: orgSlug,
        externalOrgName: orgSlug,
        externalInstallId: uuid,
        installedBy: null,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        tokenExpiresAt: tokens.expiresAt,
        scopes: tokens.scopes,
        permissions: {},
        oauthGrantId: null,
        metadata: {
          org_slug: orgSlug,
          org_id: installation.organization?.id ?? null,
          app_slug: typeof installation.app?.slug === 'string' ? installation.app.slug : this.app().appSlug,
          sentry_url: this.config.upstream.sentryBaseUrl,
        },
      },
    ];
  }

  override canRefresh(credentials: StoredCredentials): boolean {
    return Boolean(credentials.refreshToken && credentials.externalInstallId);
  }

  async refresh(credentials: StoredCredentials): Promise<TokenSet> {
    if (!credentials.refreshToken || !credentials.externalInstallId) throw new InstallCallbackError('this Sentry installation has no refresh token');
    const tokens = await this.authorize('token refresh', credentials.externalInstallId, { grant_type: 'refresh_token', refresh_token: credentials.refreshToken });
    return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
  }

  /**
   * Uninstalls the integration from the organization (`DELETE /api/0/sentry-app-installations/{uuid}/` with the
   * installation's token, refreshed once if Sentry says it expired). Sentry then sends `installation` `deleted`.
   */
  async revoke(credentials: StoredCredentials): Promise<RevocationOutcome> {
    const uuid = credentials.externalInstallId;
    if (!uuid || !credentials.accessToken) return { revokedAtProvider: false, detail: 'no Sentry installation token is stored; an organization owner uninstalls the integration in Sentry (Settings → Integrations)' };
    let response = await this.uninstall(uuid, credentials.accessToken);
    if (response.status === 401 && credentials.refreshToken) {
      // Revoking anyway: a rotated token that is never stored does no harm here.
      const fresh = await this.refresh(credentials).catch(() => undefined);
      if (fresh) response = await this.uninstall(uuid, fresh.accessToken);
    }
    if ((response.status >= 200 && response.status < 300) || response.status === 404) {
      return { revokedAtProvider: true, detail: response.status === 404 ? 'the integration was already uninstalled in Sentry' : 'the integration was uninstalled from the Sentry organization' };
    }
    return {
      revokedAtProvider: false,
      detail: `Sentry refused to uninstall the integration (HTTP ${response.status}); an organization owner uninstalls it in Sentry (Settings → Integrations)`,
    };
  }

  private uninstall(uuid: string, accessToken: string): Promise<PlatformResponse> {
    return this.http.send({
      platform: 'Sentry',
      purpose: 'uninstall',
      method: 'DELETE',
      url: `${this.config.upstream.sentryBaseUrl}/api/0/sentry-app-installations/${encodeURIComponent(uuid)}/`,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
  }

  private async verify(uuid: string, accessToken: string): Promise<SentryInstallation> {
    const response = await this.http.send({
      platform: 'Sentry',
      purpose: 'installation verification',
      method: 'PUT',
      url: `${this.config.upstream.sentryBaseUrl}/api/0/sentry-app-installations/${encodeURIComponent(uuid)}/`,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      json: { status: 'installed' },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    const body = jsonObject(response.text);
    if (response.status < 200 || response.status >= 300) throw failure('installation verification', response.status, body);
    if (!body) throw new UpstreamError('Sentry', 'malformed', 'Sentry installation verification answered with malformed JSON', response.status);
    return body as SentryInstallation;
  }

  private async authorize(purpose: string, uuid: string, params: Record<string, string>) {
    const sentry = this.app();
    const response = await this.http.send({
      platform: 'Sentry',
      purpose,
      method: 'POST',
      url: `${this.config.upstream.sentryBaseUrl}/api/0/sentry-app-installations/${encodeURIComponent(uuid)}/authorizations/`,
      json: { client_id: sentry.clientId, client_secret: sentry.clientSecret, ...params },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    const parsed = jsonObject(response.text);
    if (response.status < 200 || response.status >= 300) throw failure(purpose, response.status, parsed);
    const body = parsed as SentryToken | undefined;
    if (!body || typeof body.token !== 'string' || !body.token) throw new UpstreamError('Sentry', 'malformed', `Sentry ${purpose} answer lacks token`, response.status);
    const expiresAt = typeof body.expiresAt === 'string' && !Number.isNaN(Date.parse(body.expiresAt)) ? new Date(body.expiresAt) : new Date(this.clock.now().getTime() + 8 * 3600_000);
    return {
      accessToken: body.token,
      refreshToken: typeof body.refreshToken === 'string' ? body.refreshToken : null,
      expiresAt,
      scopes: Array.isArray(body.scopes) ? body.scopes.filter((scope): scope is string => typeof scope === 'string') : [],
    };
  }

  private app() {
    if (!this.config.sentry) throw new Error('Sentry is not configured');
    return this.config.sentry;
  }
}

/**
 * Sentry's refusals carry `{ "detail": "…" }`. A 401 that is not about the client pair (a spent or unknown refresh
 * token, an invalid or expired grant) and a 404 (the installation was uninstalled) mean the grant is gone for
 * good, reported as `invalid_grant` so the TokenService marks the installation as needing a new install.
 */
function failure(purpose: string, status: number, body: Record<string, unknown> | undefined): UpstreamError {
  const detail = typeof body?.['detail'] === 'string' ? body['detail'] : undefined;
  const clientRefused = detail !== undefined && /client id|secret/i.test(detail);
  const grantGone = (status === 401 && !clientRefused) || status === 404;
  const shown = detail && /^[\w .,'/:-]{1,120}$/.test(detail) ? `: ${detail}` : '';
  return new UpstreamError('Sentry', 'http', `Sentry ${purpose} failed with HTTP ${status}${shown}${grantGone ? ' (invalid_grant)' : ''}`, status, grantGone ? 'invalid_grant' : undefined);
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
