import { signJiraWebhookJwt, verifyJiraWebhookJwt } from './jira-jwt';

describe('webhook signatures', () => {
  describe('Jira dynamic webhook JWT', () => {
    const secret = 'jira-client-secret-0123456789';
    const now = 1_800_000_000;

    it('accepts an unexpired HS256 token under the client secret and returns its claims', () => {
      const token = signJiraWebhookJwt(secret, { iss: 'jira', exp: now + 60, iat: now });
      expect(verifyJiraWebhookJwt(`Bearer ${token}`, secret, now)).toEqual({ valid: true, claims: { iss: 'jira', exp: now + 60, iat: now } });
    });

    it.each([
      ['that is missing', undefined, /missing/],
      ['that is not a bearer JWT', 'Basic dXNlcjpwYXNz', /not Bearer/],
      ['signed with another secret', `Bearer ${signJiraWebhookJwt('other', { exp: now + 60 })}`, /signature/],
      ['that has expired', `Bearer ${signJiraWebhookJwt(secret, { exp: now - 31 })}`, /expired/],
      ['without exp', `Bearer ${signJiraWebhookJwt(secret, { iat: now })}`, /no exp/],
      ['issued in the future', `Bearer ${signJiraWebhookJwt(secret, { exp: now + 600, iat: now + 300 })}`, /iat/],
      ['with alg none', `Bearer ${signJiraWebhookJwt(secret, { exp: now + 60 }, { alg: 'none' }).replace(/\.[^.]+$/, '.AA')}`, /HS256/],
      ['with alg HS512', `Bearer ${signJiraWebhookJwt(secret, { exp: now + 60 }, { alg: 'HS512' })}`, /HS256/],
    ])('refuses a token %s', (_label, header, reason) => {
      const check = verifyJiraWebhookJwt(header, secret, now);
      expect(check.valid).toBe(false);
      expect(!check.valid && check.reason).toMatch(reason);
    });

    it('refuses a token whose claims were altered after signing', () => {
      const [head, , signature] = signJiraWebhookJwt(secret, { exp: now + 60, sub: 'a' }).split('.');
      const forged = Buffer.from(JSON.stringify({ exp: now + 60, sub: 'b' })).toString('base64url');
      expect(verifyJiraWebhookJwt(`Bearer ${head}.${forged}.${signature}`, secret, now)).toMatchObject({ valid: false });
    });
  });
});
