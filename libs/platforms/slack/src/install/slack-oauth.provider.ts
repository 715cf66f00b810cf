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
  providerErrorCode,
  RevocationOutcome,
  StoredCredentials,
  TokenSet,
  UpstreamError,
} from '@bot/providers';
import { slackConfigured } from '../config';

/** Bot scopes the guide's Slack app asks for. */
export const SLACK_BOT_SCOPES = ['chat:write', 'channels:read', 'app_mentions:read', 'users:read', 'reactions:write'];

interface SlackOAuthAccess {
  ok: boolean;
  error?: string;
  access_token?: string;
  token_type?: string;
  scope?: string;
  bot_user_id?: string;
  app_id?: string;
  team?: { id: string; name?: string } | null;
  enterprise?: { id: string; name?: string } | null;
  is_enterprise_install?: boolean;
  authed_user?: { id?: string };
  expires_in?: number;
  refresh_token?: string;
}

/** Slack OAuth v2 bot installs, with token rotation when the app has it on. */
@Injectable()
export class SlackOAuthProvider extends InstallationProvider {
  readonly platform = 'slack' as const;
  readonly displayName = 'Slack';
  readonly installLabel = 'Add to Slack';
  readonly buttonColor = '#4a154b';

  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
    private readonly clock: Clock,
  ) {
    super();
  }

  configured(): boolean {
    return slackConfigured(this.config);
  }

  installSiteUrl(): string {
    return this.config.upstream.slackBaseUrl;
  }

  authorizationUrl(issueState: IssueState): Promise<string> {
    const slack = this.app();
    return oauth2AuthorizationUrl(
      {
        authorizationURL: `${this.config.upstream.slackBaseUrl}/oauth/v2/authorize`,
        tokenURL: `${this.config.upstream.slackBaseUrl}/api/oauth.v2.access`,
        clientID: slack.clientId,
        clientSecret: slack.clientSecret,
        callbackURL: this.redirectUri(),
        scope: SLACK_BOT_SCOPES,
        scopeSeparator: ',',
        pkce: false,
      },
      issueState,
    );
  }

  async completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]> {
    if (!callback.code) throw new InstallCallbackError('Slack callback has no code');
    const answer = await this.access('token exchange', { code: callback.code, redirect_uri: callback.redirectUri });
    const team = answer.team ?? null;
    const enterprise = answer.enterprise ?? null;
    // Org-wide (Enterprise Grid) installs belong to the enterprise, not to one workspace of it.
    const owner = answer.is_enterprise_install ? enterprise : team;
    if (!owner?.id || !answer.access_token) {
      throw new UpstreamError('Slack', 'malformed', 'Slack token exchange answer lacks the team or enterprise, or the token');
    }
    return [
      {
        externalOrgId: owner.id,
        externalOrgName: owner.name ?? null,
        externalInstallId: null,
        installedBy: answer.authed_user?.id ?? null,
        accessToken: answer.access_token,
        refreshToken: answer.refresh_token ?? null,
        tokenExpiresAt: this.expiry(answer.expires_in),
        scopes: (answer.scope ?? '').split(',').filter(Boolean),
        permissions: {},
        oauthGrantId: randomUUID(),
        metadata: {
          team_id: team?.id ?? null,
          team_name: team?.name ?? null,
          enterprise_id: enterprise?.id ?? null,
          enterprise_name: enterprise?.name ?? null,
          is_enterprise_install: Boolean(answer.is_enterprise_install),
          bot_user_id: answer.bot_user_id ?? null,
          app_id: answer.app_id ?? null,
          token_type: answer.token_type ?? 'bot',
          token_rotation: Boolean(answer.refresh_token),
        },
      },
    ];
  }

  async refresh(credentials: StoredCredentials): Promise<TokenSet> {
    if (!credentials.refreshToken) throw new InstallCallbackError('this Slack installation has no refresh token (token rotation is off)');
    const answer = await this.access('token refresh', { grant_type: 'refresh_token', refresh_token: credentials.refreshToken });
    if (!answer.access_token) throw new UpstreamError('Slack', 'malformed', 'Slack token refresh answer lacks access_token');
    return { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? credentials.refreshToken, expiresAt: this.expiry(answer.expires_in) };
  }

  async revoke(credentials: StoredCredentials): Promise<RevocationOutcome> {
    if (!credentials.accessToken) return { revokedAtProvider: false, detail: 'no Slack token is stored' };
    const { body } = await this.http.sendForJson<{ ok: boolean; revoked?: boolean; error?: string }>({
      platform: 'Slack',
      purpose: 'token revocation',
      method: 'POST',
      url: `${this.config.upstream.slackBaseUrl}/api/auth.revoke`,
      headers: { authorization: `Bearer ${credentials.accessToken}` },
      form: {},
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    if (body.ok) return { revokedAtProvider: true, detail: 'Slack revoked the bot token' };
    const code = providerErrorCode(body.error);
    if (code === 'invalid_auth' || code === 'token_revoked' || code === 'account_inactive') {
      return { revokedAtProvider: true, detail: `Slack reports the token already unusable (${code})` };
    }
    throw new UpstreamError('Slack', 'rejected', `Slack auth.revoke failed (${code ?? 'unknown error'})`, undefined, code);
  }

  private async access(purpose: string, params: Record<string, string>): Promise<SlackOAuthAccess> {
    const slack = this.app();
    const { body } = await this.http.sendForJson<SlackOAuthAccess>({
      platform: 'Slack',
      purpose,
      method: 'POST',
      url: `${this.config.upstream.slackBaseUrl}/api/oauth.v2.access`,
      form: { client_id: slack.clientId, client_secret: slack.clientSecret, ...params },
      timeoutMs: this.config.upstreamTimeoutMs,
    });
    // Slack answers HTTP 200 with ok:false for its errors.
    if (!body.ok) {
      const code = providerErrorCode(body.error);
      throw new UpstreamError('Slack', 'rejected', `Slack ${purpose} was rejected (${code ?? 'unknown error'})`, undefined, code);
    }
    return body;
  }

  private expiry(expiresIn: number | undefined): Date | null {
    return typeof expiresIn === 'number' ? new Date(this.clock.now().getTime() + expiresIn * 1000) : null;
  }

  private redirectUri(): string {
    return `${this.config.baseUrl}/oauth/callback/slack`;
  }

  private app() {
    if (!this.config.slack) throw new Error('the Slack app is not configured');
    return this.config.slack;
  }
}
