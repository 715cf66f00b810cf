import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  Clock,
  InstallationProvider,
  InstallCallback,
  InstallCallbackError,
  IssueState,
  oauth2AuthorizationUrl,
  PlatformHttpClient,
  ProviderInstallation,
  RevocationOutcome,
  StoredCredentials,
  TokenSet,
  UpstreamError,
} from '@bot/providers';
import { jiraConfigured } from '../config';

/** Scopes from the guide (`offline_access` is what yields a refresh token), and `manage:jira-webhook` to register dynamic webhooks. */
export const JIRA_SCOPES = ['read:jira-work', 'write:jira-work', 'read:jira-user', 'manage:jira-webhook', 'offline_access'];

interface AtlassianToken {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

interface AccessibleResource {
  id: string;
  url: string;
  name: string;
  scopes?: string[];
  avatarUrl?: string;
}

/** Atlassian OAuth 2.0 (3LO) with PKCE S256; one installation per granted Jira site. */
@Injectable()
export class JiraOAuthProvider extends InstallationProvider {
  readonly platform = 'jira' as const;
  readonly displayName = 'Jira';
  readonly installLabel = 'Add to Jira';
  readonly buttonColor = '#0052cc';
  override readonly grantsSeveral = true;
  override readonly adminWebhooks = true;

  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
    private readonly clock: Clock,
  ) {
    super();
  }

  configured(): boolean {
    return jiraConfigured(this.config);
  }

  installSiteUrl(): string {
    return this.config.upstream.atlassianAuthBaseUrl;
  }

  authorizationUrl(issueState: IssueState): Promise<string> {
    const jira = this.app();
    return oauth2AuthorizationUrl(
      {
        authorizationURL: `${this.config.upstream.atlassianAuthBaseUrl}/authorize`,
        tokenURL: `${this.config.upstream.atlassianAuthBaseUrl}/oauth/token`,
        clientID: jira.clientId,
        clientSecret: jira.clientSecret,
        callbackURL: `${this.config.baseUrl}/oauth/callback/jira`,
        scope: JIRA_SCOPES,
        scopeSeparator: ' ',
        pkce: true,
        extraParams: { audience: 'api.atlassian.com', prompt: 'consent' },
      },
      issueState,
    );
  }

  async completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]> {
    if (!callback.code) throw new InstallCallbackError('Jira callback has no code');
    if (!callback.codeVerifier) throw new InstallCallbackError('no PKCE verifier was stored for this Jira authorization');
    const tokens = await this.token('token exchange', {
      grant_type: 'authorization_code',
      code: callback.code,
      redirect_uri: callback.redirectUri,
      code_verifier: callback.codeVerifier,
    });
    const { body: resources } = await this.http.sendForJson<AccessibleResource[]>({
      platform: 'Atlassian',
      purpose: 'accessible-resources lookup',
      method: 'GET',
      url: `${this.config.upstream.atlassianApiBaseUrl}/oauth/token/accessible-resources`,
      headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    if (!Array.isArray(resources) || resources.some((site) => typeof site?.id !== 'string' || typeof site?.url !== 'string')) {
      throw new UpstreamError('Atlassian', 'malformed', 'Atlassian accessible-resources answer is not a list of sites');
    }
    if (resources.length === 0) {
      throw new InstallCallbackError('the authorization granted no Jira site; approve the app for at least one site');
    }
    // Every granted site is an installation of its own; they share the one grant's rotating tokens.
    const grantId = randomUUID();
    return resources.map((site) => ({
      externalOrgId: site.id,
      externalOrgName: site.name ?? null,
      externalInstallId: null,
      installedBy: null,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      tokenExpiresAt: tokens.expiresAt,
      scopes: tokens.scopes,
      permissions: {},
      oauthGrantId: grantId,
      metadata: { url: site.url, site_scopes: site.scopes ?? [], avatar_url: site.avatarUrl ?? null },
    }));
  }

  async refresh(credentials: StoredCredentials): Promise<TokenSet> {
    if (!credentials.refreshToken) throw new InstallCallbackError('this Jira installation has no refresh token');
    const tokens = await this.token('token refresh', { grant_type: 'refresh_token', refresh_token: credentials.refreshToken });
    return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? credentials.refreshToken, expiresAt: tokens.expiresAt };
  }

  async revoke(): Promise<RevocationOutcome> {
    return {
      revokedAtProvider: false,
      detail: 'Atlassian has no token revocation endpoint: the stored tokens were erased here; a site admin removes the app from the site to end access there',
    };
  }

  private async token(purpose: string, params: Record<string, string>) {
    const jira = this.app();
    const { body } = await this.http.sendForJson<AtlassianToken>({
      platform: 'Atlassian',
      purpose,
      method: 'POST',
      url: `${this.config.upstream.atlassianAuthBaseUrl}/oauth/token`,
      json: { client_id: jira.clientId, client_secret: jira.clientSecret, ...params },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new UpstreamError('Atlassian', 'malformed', `Atlassian ${purpose} answer lacks access_token`);
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      expiresAt: typeof body.expires_in === 'number' ? new Date(this.clock.now().getTime() + body.expires_in * 1000) : null,
      scopes: (body.scope ?? '').split(' ').filter(Boolean),
    };
  }

  private app() {
    if (!this.config.jira) throw new Error('Jira is not configured');
    return this.config.jira;
  }
}
