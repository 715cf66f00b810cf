import { Installation } from '@bot/installations';

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
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The view of an installation row. */
export function toInstallationView(installation: Installation): InstallationView {
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
    last_used_at: iso(installation.lastUsedAt),
    revoked_at: iso(installation.revokedAt),
    created_at: installation.createdAt.toISOString(),
    updated_at: installation.updatedAt.toISOString(),
  };
}
