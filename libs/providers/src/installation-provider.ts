import type { InstallationUpsert, Platform } from '@bot/installations';

/** Issues a stored, single-use state for an authorization request; receives the PKCE verifier when there is one. */
export type IssueState = (codeVerifier: string | undefined) => Promise<string>;

/** The parts of a provider callback a provider needs (already checked against our stored state). */
export interface InstallCallback {
  code?: string;
  codeVerifier?: string | null;
  /** GitHub: the `installation_id` query parameter. */
  installationId?: string;
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

  /** The URL the browser is sent to for approving the install; `issueState` stores the state it carries. */
  abstract authorizationUrl(issueState: IssueState): Promise<string>;

  /** Turns an approved callback into the installations it grants (Jira: one per site). */
  abstract completeInstall(callback: InstallCallback): Promise<ProviderInstallation[]>;

  /** New access credentials for a stored installation. */
  abstract refresh(credentials: StoredCredentials): Promise<TokenSet>;

  /** Revokes at the provider where it can. */
  abstract revoke(credentials: StoredCredentials): Promise<RevocationOutcome>;
}
