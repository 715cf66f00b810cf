import { constantTimeEquals, hmacSha256Hex, SignatureCheck } from '@bot/webhooks';

/** Slack rejects nothing older itself; it documents five minutes as the replay window receivers should use. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export interface SlackRequestSignature {
  /** `X-Slack-Request-Timestamp`, Unix seconds. */
  timestamp: string | undefined;
  /** `X-Slack-Signature`, `v0=<hex>`. */
  signature: string | undefined;
}

/**
 * Slack's v0 request signing: HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the signing secret, with the
 * timestamp no further than five minutes from `nowSeconds` (either direction) so a captured request cannot be replayed.
 */
export function verifySlackSignature(signingSecret: string, rawBody: Buffer, headers: SlackRequestSignature, nowSeconds: number): SignatureCheck {
  if (!headers.timestamp || !headers.signature) {
    return { valid: false, reason: 'the X-Slack-Signature and X-Slack-Request-Timestamp headers are required' };
  }
  if (!/^\d{1,12}$/.test(headers.timestamp)) return { valid: false, reason: 'X-Slack-Request-Timestamp is not a Unix time in seconds' };
  if (Math.abs(nowSeconds - Number(headers.timestamp)) > SLACK_TIMESTAMP_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'X-Slack-Request-Timestamp is more than five minutes away from now (stale or replayed request)' };
  }
  const match = /^v0=([0-9a-f]{64})$/i.exec(headers.signature.trim());
  if (!match) return { valid: false, reason: 'X-Slack-Signature is not of the form v0=<hex digest>' };
  const expected = hmacSha256Hex(signingSecret, Buffer.concat([Buffer.from(`v0:${headers.timestamp}:`), rawBody]));
  if (!constantTimeEquals(match[1].toLowerCase(), expected)) return { valid: false, reason: 'X-Slack-Signature does not match the body' };
  return { valid: true };
}

/** The headers Slack sends for `rawBody` at `timestampSeconds` (tests, benchmarks, examples). */
export function signSlackRequest(signingSecret: string, rawBody: Buffer | string, timestampSeconds: number): { 'x-slack-request-timestamp': string; 'x-slack-signature': string } {
  const timestamp = String(timestampSeconds);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody;
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${hmacSha256Hex(signingSecret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), body]))}`,
  };
}
