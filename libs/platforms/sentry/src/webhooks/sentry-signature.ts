import { createHmac, timingSafeEqual } from 'node:crypto';

export type SentrySignatureCheck = { valid: true } | { valid: false; reason: string };

/** `Sentry-Hook-Signature` of a body: hex HMAC-SHA256 of the raw bytes under the integration's client secret. */
export function signSentryWebhook(clientSecret: string, body: string | Buffer): string {
  return createHmac('sha256', clientSecret).update(body).digest('hex');
}

/**
 * Verifies `Sentry-Hook-Signature` on the exact bytes received, timing-safe. Sentry signs the body only (not the
 * `Sentry-Hook-Timestamp` header) and documents no freshness window, so the timestamp is not checked here; a
 * replayed delivery keeps its `Request-ID` and is dropped by the queue's dedupe.
 */
export function verifySentrySignature(clientSecret: string, rawBody: Buffer, header: string | undefined): SentrySignatureCheck {
  if (!header) return { valid: false, reason: 'the Sentry-Hook-Signature header is missing' };
  if (!/^[0-9a-f]{64}$/i.test(header.trim())) return { valid: false, reason: 'the Sentry-Hook-Signature header is not a hex SHA-256 HMAC' };
  const expected = createHmac('sha256', clientSecret).update(rawBody).digest();
  const presented = Buffer.from(header.trim(), 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected)
    ? { valid: true }
    : { valid: false, reason: 'the Sentry-Hook-Signature does not match the integration client secret' };
}
