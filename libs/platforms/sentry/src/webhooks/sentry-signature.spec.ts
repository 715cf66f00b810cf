import { signSentryWebhook, verifySentrySignature } from './sentry-signature';

describe('Sentry-Hook-Signature', () => {
  const secret = 'sentry-client-secret-0123456789';
  // Sentry's own senders serialise without spaces; the check covers whatever bytes arrive.
  const body = Buffer.from('{"action":"created","installation":{"uuid":"a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},"data":{}}');

  it('accepts the hex HMAC-SHA256 of the raw body under the client secret', () => {
    expect(verifySentrySignature(secret, body, signSentryWebhook(secret, body))).toEqual({ valid: true });
    expect(verifySentrySignature(secret, body, signSentryWebhook(secret, body).toUpperCase())).toEqual({ valid: true });
  });

  it.each([
    ['missing', undefined, /missing/],
    ['not hex', 'sha256=abc', /not a hex/],
    ['under another secret', signSentryWebhook('other-secret', body), /does not match/],
    ['of other bytes (re-serialised JSON)', signSentryWebhook(secret, JSON.stringify(JSON.parse(body.toString()), null, 1)), /does not match/],
  ])('refuses a signature that is %s', (_label, header, reason) => {
    const check = verifySentrySignature(secret, body, header);
    expect(check.valid).toBe(false);
    expect(!check.valid && check.reason).toMatch(reason);
  });
});
