import { createHmac, timingSafeEqual } from 'node:crypto';

/** Clock difference tolerated between Atlassian and us when checking `exp`, `nbf` and `iat`. */
export const JIRA_JWT_LEEWAY_SECONDS = 30;

export type JiraJwtCheck = { valid: true; claims: Record<string, unknown> } | { valid: false; reason: string };

/**
 * Verifies the `Authorization: Bearer <JWT>` of a Jira dynamic webhook (registered by an OAuth 2.0 app):
 * HS256 only (a token naming any other algorithm, `none` included, is refused), signature under the app's
 * client secret, `exp` present and not passed, `nbf`/`iat` (when present) not in the future. Atlassian does
 * not document issuer or audience values for these tokens, so none are required (see docs/webhooks.md).
 */
export function verifyJiraWebhookJwt(authorization: string | undefined, clientSecret: string, nowSeconds: number): JiraJwtCheck {
  if (!authorization) return { valid: false, reason: 'the Authorization header is missing (expected Bearer <JWT>)' };
  const match = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!match) return { valid: false, reason: 'the Authorization header is not Bearer <JWT>' };
  const [, encodedHeader, encodedClaims, encodedSignature] = match;

  const header = decodeJson(encodedHeader);
  if (!header || header['alg'] !== 'HS256') return { valid: false, reason: 'the JWT is not an HS256 token' };
  const expected = createHmac('sha256', clientSecret).update(`${encodedHeader}.${encodedClaims}`).digest();
  const presented = Buffer.from(encodedSignature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    return { valid: false, reason: 'the JWT signature does not match the app client secret' };
  }

  const claims = decodeJson(encodedClaims);
  if (!claims) return { valid: false, reason: 'the JWT claims are not a JSON object' };
  const exp = claims['exp'];
  if (typeof exp !== 'number') return { valid: false, reason: 'the JWT has no exp claim' };
  if (nowSeconds > exp + JIRA_JWT_LEEWAY_SECONDS) return { valid: false, reason: 'the JWT has expired' };
  for (const name of ['nbf', 'iat'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || value > nowSeconds + JIRA_JWT_LEEWAY_SECONDS)) {
      return { valid: false, reason: `the JWT ${name} claim is in the future or malformed` };
    }
  }
  return { valid: true, claims };
}

/** An HS256 JWT as Jira sends it to an OAuth 2.0 app's dynamic webhook (tests, benchmarks, examples). */
export function signJiraWebhookJwt(clientSecret: string, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', clientSecret).update(signingInput).digest('base64url')}`;
}

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
