import type { InstallationStatus, Platform } from '@bot/installations';

/** Why a token could not be handed out; each maps to one HTTP status in the API apps. */
export type TokenErrorCode =
  | 'installation_not_found'
  | 'installation_platform_mismatch'
  | 'installation_revoked'
  | 'installation_suspended'
  | 'installation_needs_reinstall'
  | 'token_refresh_unavailable'
  | 'token_refresh_rejected';

/** A token request that cannot be served; the message names the installation, never a token. */
export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    readonly installationId: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** The error for an installation that exists but is not active. */
export function unavailableInstallation(id: string, status: InstallationStatus, reason: string | null): TokenError {
  const why = reason ? `: ${reason}` : '';
  switch (status) {
    case 'revoked':
      return new TokenError('installation_revoked', `installation ${id} was revoked${why}; install the app again`, id);
    case 'suspended':
      return new TokenError('installation_suspended', `installation ${id} is suspended${why}`, id);
    case 'needs_reinstall':
      return new TokenError('installation_needs_reinstall', `installation ${id} needs to be installed again${why}`, id);
    default:
      throw new Error(`installation ${id} is ${status}, which is not an unavailable status`);
  }
}

/** The error for an installation of another platform than the app serving the request. */
export function platformMismatch(id: string, actual: Platform, expected: Platform): TokenError {
  return new TokenError('installation_platform_mismatch', `installation ${id} is a ${actual} installation, not ${expected}`, id);
}
