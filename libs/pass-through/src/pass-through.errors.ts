import { TokenError, TokenErrorCode } from '@bot/tokens';

/**
 * Every refusal or failure the pass-through apps answer themselves. The status is the HTTP status GitHub-,
 * Jira- and Sentry-shaped answers carry; a platform's error shape may answer with another (Slack: 200).
 */
export type PassThroughErrorCode =
  | 'service_key_required'
  | 'invalid_service_key'
  | 'installation_id_required'
  | 'invalid_installation_id'
  | 'installation_id_conflict'
  | 'invalid_path'
  | 'not_forwarded'
  | 'body_too_large'
  | 'client_closed_request'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'http_error'
  | 'internal_error'
  | TokenErrorCode;

/** A request the pass-through refuses or cannot complete, answered before anything reached the caller. */
export class PassThroughError extends Error {
  constructor(
    readonly status: number,
    readonly code: PassThroughErrorCode,
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
