import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import {
  InstallationProvider,
  InstallCallback,
  InstallCallbackError,
  IssueState,
  PendingInstall,
  PlatformHttpClient,
  PlatformRequest,
  ProviderInstallation,
  RevocationOutcome,
  StoredCredentials,
  TokenSet,
  UnsolicitedCallback,
  UpstreamError,
} from '@bot/providers';
import { githubConfigured } from '../config';
import { GitHubAppJwtSigner } from './github-app-jwt.signer';

interface GitHubInstallation {
  id: number;
  account: { id: number; login: string; type: string } | null;
  repository_selection?: string;
  target_type?: string;
  app_slug?: string;
  html_url?: string;
  permissions?: Record<string, string>;
  events?: string[];
  suspended_at?: string | null;
}

interface GitHubAccessToken {
  token: string;
  expires_at: string;
  permissions?: Record<string, string>;
}

const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

/** GitHub App installs: the install page, then the named installation read with the app JWT and a minted token. */
@Injectable()
export class GitHubAppProvider extends InstallationProvider {
  readonly platform = 'github' as const;
  readonly displayName = 'GitHub';
  readonly installLabel = 'Add to GitHub';
  readonly buttonColor = '#24292f';
  // The app acts as itself, not as the installing user: the callback names the installation and `code` is unused.
  override readonly callbackNeedsCode = false;

  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
    private readonly jwt: GitHubAppJwtSigner,
  ) {
    super();
  }

  configured(): boolean {
    return githubConfigured(this.config);
  }

  installSiteUrl(): string {
    return this.config.upstream.githubBaseUrl;
  }

  // Installs begun on github.com come back without our state; the installation webhook records those.
  override unsolicitedCallback(callback: UnsolicitedCallback): PendingInstall | undefined {
    if (!callback.installationId || callback.error) return undefined;
    return {
      kind: 'pending',
      heading: 'GitHub installation received',
      page: 'This install was started on github.com, so it is recorded from GitHub’s installation webhook rather than from this page. It will appear in the installations list shortly.',
      message: 'installation started on github.com; it is recorded from the installation webhook',
    };
  }

  override canRefresh(credentials: StoredCredentials): boolean {
    return Boolean(credentials.externalInstallId);
  }

  // GitHub answers 404 when minting for an installation that no longer exists.
  override grantRevoked(error: UpstreamError): boolean {
    return super.grantRevoked(error) || error.status === 404;
  }

  async authorizationUrl(issueState: IssueState): Promise<string> {
    const state = await issueState(undefined);
    const url = new URL(`${this.config.upstream.githubBaseUrl}/apps/${encodeURIComponent(this.app().appName)}/installations/new`);
    url.searchParams.set('state', state);
    return url.toString();
  }

  async completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]> {
    const id = callback.installationId;
    if (!id || !/^\d{1,20}$/.test(id)) {
      throw new InstallCallbackError('GitHub callback has no valid installation_id');
    }
    // Always the installation the callback names: in a multi-tenant app "the first installation" is someone else's.
    const { body: installation } = await this.http.sendForJson<GitHubInstallation>(
      this.appRequest('installation lookup', 'GET', `/app/installations/${id}`),
    );
    if (!installation.account || typeof installation.account.id !== 'number' || !installation.account.login) {
      throw new UpstreamError('GitHub', 'malformed', 'GitHub installation lookup answered without an account');
    }
    const token = await this.mint(id);
    const permissions = installation.permissions ?? token.permissions ?? {};
    return [
      {
        externalOrgId: String(installation.account.id),
        externalOrgName: installation.account.login,
        externalInstallId: String(installation.id),
        installedBy: null,
        accessToken: token.token,
        refreshToken: null,
        tokenExpiresAt: new Date(token.expires_at),
        scopes: Object.entries(permissions).map(([name, level]) => `${name}:${level}`),
        permissions,
        metadata: {
          account_type: installation.account.type,
          repository_selection: installation.repository_selection ?? null,
          target_type: installation.target_type ?? null,
          app_slug: installation.app_slug ?? null,
          html_url: installation.html_url ?? null,
          events: installation.events ?? [],
        },
      },
    ];
  }

  async refresh(credentials: StoredCredentials): Promise<TokenSet> {
    if (!credentials.externalInstallId) throw new InstallCallbackError('GitHub installation has no installation id');
    const token = await this.mint(credentials.externalInstallId);
    return { accessToken: token.token, refreshToken: null, expiresAt: new Date(token.expires_at) };
  }

  async revoke(credentials: StoredCredentials): Promise<RevocationOutcome> {
    if (!credentials.externalInstallId) return { revokedAtProvider: false, detail: 'no GitHub installation id is stored' };
    const { status } = await this.http.send(this.appRequest('uninstall', 'DELETE', `/app/installations/${credentials.externalInstallId}`));
    if (status === 204) return { revokedAtProvider: true, detail: 'the GitHub App was uninstalled from the account' };
    if (status === 404) return { revokedAtProvider: true, detail: 'the GitHub App was already uninstalled' };
    throw new UpstreamError('GitHub', 'http', `GitHub uninstall failed with HTTP ${status}`, status);
  }

  private async mint(installationId: string): Promise<GitHubAccessToken> {
    const { body } = await this.http.sendForJson<GitHubAccessToken>(
      this.appRequest('installation token', 'POST', `/app/installations/${installationId}/access_tokens`),
    );
    if (typeof body.token !== 'string' || !body.token || Number.isNaN(Date.parse(body.expires_at))) {
      throw new UpstreamError('GitHub', 'malformed', 'GitHub installation token answer lacks token or expires_at');
    }
    return body;
  }

  private appRequest(purpose: string, method: PlatformRequest['method'], path: string): PlatformRequest {
    return {
      platform: 'GitHub',
      purpose,
      method,
      url: `${this.config.upstream.githubApiBaseUrl}${path}`,
      headers: { ...API_HEADERS, authorization: `Bearer ${this.jwt.sign()}` },
      timeoutMs: this.config.upstreamTimeoutMs,
    };
  }

  private app() {
    if (!this.config.github) throw new Error('the GitHub App is not configured');
    return this.config.github;
  }
}
