import { PassThroughErrorCode, PlatformErrorShape } from '@bot/pass-through';

/** The Slack `error` for each refusal: Slack's own name where one means the same, else ours. */
const SLACK_ERRORS: Record<PassThroughErrorCode, string> = {
  service_key_required: 'not_authed',
  invalid_service_key: 'invalid_auth',
  installation_id_required: 'not_authed',
  invalid_installation_id: 'invalid_auth',
  installation_id_conflict: 'invalid_arguments',
  installation_platform_mismatch: 'invalid_auth',
  installation_not_found: 'installation_not_found',
  installation_revoked: 'token_revoked',
  installation_suspended: 'account_inactive',
  installation_needs_reinstall: 'token_revoked',
  invalid_path: 'unknown_method',
  not_forwarded: 'unknown_method',
  body_too_large: 'request_too_large',
  client_closed_request: 'invalid_request',
  token_refresh_rejected: 'invalid_auth',
  token_refresh_unavailable: 'service_unavailable',
  upstream_unreachable: 'service_unavailable',
  upstream_timeout: 'request_timeout',
  http_error: 'invalid_request',
  internal_error: 'internal_error',
};

/** Statuses @slack/web-api acts on (429 waits for Retry-After, 413 cannot succeed); everything else is a 200. */
const KEPT_STATUSES = new Set([413, 429]);

/**
 * Slack Web API errors: HTTP 200 `{ ok: false, error }`, which WebClient raises as a platform error at once.
 * Any other status would be retried by its default policy for about half an hour.
 */
export const slackErrorShape: PlatformErrorShape = {
  status: (error) => (KEPT_STATUSES.has(error.status) ? error.status : 200),
  body: (error) => ({ ok: false, error: SLACK_ERRORS[error.code], message: error.message }),
};
