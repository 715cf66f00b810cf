import type { Installation } from '@bot/installations';
import { randomBytes, randomInt } from 'node:crypto';

/** A valid, unsaved installation row; every call names a different org and install. */
export function buildInstallation(overrides: Partial<Installation> = {}): Partial<Installation> {
  const suffix = randomBytes(4).toString('hex');
  return {
    platform: 'github',
    status: 'active',
    externalOrgId: String(randomInt(1, 2 ** 31)),
    externalOrgName: `org-${suffix}`,
    externalInstallId: String(randomInt(1, 2 ** 31)),
    accessToken: `ghs_${randomBytes(18).toString('base64url')}`,
    refreshToken: null,
    tokenExpiresAt: new Date(Date.now() + 60 * 60 * 1000),
    scopes: ['contents:write', 'issues:write'],
    permissions: { contents: 'write', issues: 'write' },
    metadata: { account_type: 'Organization' },
    ...overrides,
  };
}
