import { TokenError, TokenErrorCode } from '@bot/tokens';

/** A request the pass-through refuses or cannot complete, answered before anything reached the caller. */
export class PassThroughError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PassThroughError';
  }
}

const TOKEN_ERROR_STATUS: Record<TokenErrorCode, number> = {
  installation_not_found: 404,
  installation_platform_mismatch: 400,
  installation_revoked: 410,
  installation_suspended: 409,
  installation_needs_reinstall: 409,
  token_refresh_unavailable: 503,
  token_refresh_rejected: 502,
};

/** The HTTP answer for a TokenService refusal. */
export function fromTokenError(error: TokenError): PassThroughError {
  const headers: Record<string, string> = error.code === 'token_refresh_unavailable' ? { 'retry-after': '5' } : {};
  return new PassThroughError(TOKEN_ERROR_STATUS[error.code], error.code, error.message, headers);
}
