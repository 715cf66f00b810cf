import type { InstallationUpsert, Platform } from '@bot/installations';
import { UpstreamError } from './upstream.error';

/** Provider error codes that mean the grant is gone for good (Atlassian/OAuth `invalid_grant`, Slack). */
export const GRANT_REVOKED_CODES: ReadonlySet<string> = new Set(['invalid_grant', 'invalid_refresh_token', 'token_revoked', 'account_inactive']);

/** Issues a stored, single-use state for an authorization request; receives the PKCE verifier when there is one. */
export type IssueState = (codeVerifier: string | undefined) => Promise<string>;

/** The parts of a provider callback a provider needs (already checked against our stored state). */
export interface InstallCallback {
  code?: string;
  codeVerifier?: string | null;
  /** The platform's id of the installation: GitHub `installation_id`, Sentry `installationId`. */
  installationId?: string;
  /** The organization the platform says was installed into (Sentry `orgSlug`). */
  organization?: string;
  redirectUri: string;
}

/** One installation as a provider reports it after an approved install. */
export type ProviderInstallation = Omit<InstallationUpsert, 'platform'>;

/** Fresh credentials from a refresh or a mint. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string | null;
  expiresAt: Date | null;
}

/** The stored credentials a refresh or revoke works from. */
export interface StoredCredentials {
  externalInstallId: string | null;
  accessToken: string | null;
  refreshToken: string | null;
}

/** The query of a provider callback that carries no state of ours (an install begun on the platform's own site). */
export interface UnsolicitedCallback {
  installationId?: string;
  organization?: string;
  code?: string;
  error?: string;
}

/** How our state comes back on the callback: in its query (OAuth), or in a cookie set by `/oauth/install` (Sentry). */
export type StateTransport = 'query' | 'cookie';

/** How such a callback is answered: 202, nothing stored, a page and a JSON message saying where the install is recorded. */
export interface PendingInstall {
  kind: 'pending';
  heading: string;
  /** HTML-free sentence for the browser page. */
  page: string;
  /** Sentence of the JSON answer. */
  message: string;
}

export interface RevocationOutcome {
  /** True when the provider confirmed (or the install was already gone there). */
  revokedAtProvider: boolean;
  detail: string;
}

/** What every platform offers the installation flows; one implementation per platform. */
export abstract class InstallationProvider {
  abstract readonly platform: Platform;
  /** Human name for pages and messages. */
  abstract readonly displayName: string;
  /** Text of the install button on the landing page. */
  abstract readonly installLabel: string;
  /** CSS colour of the install button. */
  abstract readonly buttonColor: string;
  /** False when a callback is complete without a `code` (GitHub Apps name the installation instead). */
  readonly callbackNeedsCode: boolean = true;
  /** True when one approval can grant several installations (Jira: one per site); the answer then lists them all. */
  readonly grantsSeveral: boolean = false;
  /**
   * `cookie` for platforms whose install page does not return a state we pass it (Sentry redirects with its own
   * query only): `/oauth/install` then binds the state to the browser in a short-lived cookie.
   */
  readonly stateTransport: StateTransport = 'query';
  /** True when an installation can receive admin-configured webhooks signed with a secret of its own (Jira). */
  readonly adminWebhooks: boolean = false;

  /** True when this platform's credentials are configured. */
  abstract configured(): boolean;

  /** Base URL the browser is sent to for approving an install (a loopback URL means the sandbox fake). */
  abstract installSiteUrl(): string;

  /**
   * What to do with a callback that has no state of ours: `complete` it anyway (the platform documents installs
   * begun on its own site this way), answer it as pending, or (undefined) refuse it as an invalid state.
   */
  unsolicitedCallback(callback: UnsolicitedCallback): PendingInstall | 'complete' | undefined {
    void callback;
    return undefined;
  }

  /** The URL the browser is sent to for approving the install; `issueState` stores the state it carries. */
  abstract authorizationUrl(issueState: IssueState): Promise<string>;

  /** Turns an approved callback into the installations it grants (Jira: one per site). */
  abstract completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]>;

  /** New access credentials for a stored installation. */
  abstract refresh(credentials: StoredCredentials): Promise<TokenSet>;

  /** Revokes at the provider where it can. */
  abstract revoke(credentials: StoredCredentials): Promise<RevocationOutcome>;

  /** True when stored credentials let `refresh` produce a new token (a refresh token by default). */
  canRefresh(credentials: StoredCredentials): boolean {
    return Boolean(credentials.refreshToken);
  }

  /** True when a refresh failure means the grant is gone for good, so the installation needs a new install. */
  grantRevoked(error: UpstreamError): boolean {
    return error.providerError !== undefined && GRANT_REVOKED_CODES.has(error.providerError);
  }
}
