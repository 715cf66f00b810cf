import { Installation, WebhookRegistration } from '@bot/installations';

/** An installation as the admin API shows it: an explicit list of fields, so no token or secret can slip in. */
export interface InstallationView {
  id: string;
  platform: string;
  status: string;
  status_reason: string | null;
  external_org_id: string;
  external_org_name: string | null;
  external_install_id: string | null;
  scopes: string[];
  permissions: Record<string, string>;
  installed_by: string | null;
  metadata: Record<string, unknown>;
  token_expires_at: string | null;
  has_refresh_token: boolean;
  /** True when an admin-webhook secret is set (the secret itself is never shown again). */
  has_webhook_secret: boolean;
  /** The webhooks we registered at the platform for it (Jira), with their renewal state; null when none. */
  webhook_registration: WebhookRegistrationView | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A registration as the admin API shows it: `failing` with `last_error` and `retry_at` when renewal keeps failing. */
export interface WebhookRegistrationView {
  status: string;
  url: string;
  webhook_ids: number[];
  events: string[];
  filter: string | null;
  expires_at: string | null;
  renewed_at: string | null;
  failures: number;
  last_error: string | null;
  retry_at: string | null;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The view of a webhook registration. */
export function toWebhookRegistrationView(registration: WebhookRegistration): WebhookRegistrationView {
  return {
    status: registration.status,
    url: registration.url,
    webhook_ids: registration.externalIds,
    events: registration.events,
    filter: registration.filter,
    expires_at: iso(registration.expiresAt),
    renewed_at: iso(registration.renewedAt),
    failures: registration.failures,
    last_error: registration.lastError,
    retry_at: iso(registration.retryAt),
  };
}

/** The view of an installation row (and its webhook registration, when it has one). */
export function toInstallationView(installation: Installation, registration: WebhookRegistration | null = null): InstallationView {
  return {
    id: installation.id,
    platform: installation.platform,
    status: installation.status,
    status_reason: installation.statusReason,
    external_org_id: installation.externalOrgId,
    external_org_name: installation.externalOrgName,
    external_install_id: installation.externalInstallId,
    scopes: installation.scopes,
    permissions: installation.permissions,
    installed_by: installation.installedBy,
    metadata: installation.metadata,
    token_expires_at: iso(installation.tokenExpiresAt),
    has_refresh_token: Boolean(installation.refreshToken),
    has_webhook_secret: Boolean(installation.webhookSecret),
    webhook_registration: registration ? toWebhookRegistrationView(registration) : null,
    last_used_at: iso(installation.lastUsedAt),
    revoked_at: iso(installation.revokedAt),
    created_at: installation.createdAt.toISOString(),
    updated_at: installation.updatedAt.toISOString(),
  };
}
