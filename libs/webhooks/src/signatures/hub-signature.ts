import { constantTimeEquals, hmacSha256Hex } from './hmac';

const HUB_SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Outcome of a signature check; `reason` is safe to show to the caller (it never contains a secret). */
export type SignatureCheck = { valid: true } | { valid: false; reason: string };

/**
 * Checks a WebSub-style `sha256=<hex>` HMAC of the raw body: GitHub's `X-Hub-Signature-256` and Jira admin
 * webhooks' `X-Hub-Signature`.
 */
export function verifyHubSignature(secret: string, rawBody: Buffer, header: string | undefined, headerName: string): SignatureCheck {
  if (!header) return { valid: false, reason: `the ${headerName} header is missing` };
  const match = HUB_SIGNATURE.exec(header.trim());
  if (!match) return { valid: false, reason: `the ${headerName} header is not of the form sha256=<hex digest>` };
  if (!constantTimeEquals(match[1].toLowerCase(), hmacSha256Hex(secret, rawBody))) {
    return { valid: false, reason: `the ${headerName} signature does not match the body` };
  }
  return { valid: true };
}

/** The `sha256=<hex>` header value a platform sends for `rawBody` (tests, benchmarks, examples). */
export function signHubSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${hmacSha256Hex(secret, rawBody)}`;
}
