import { signHubSignature, verifyHubSignature } from './hub-signature';
import { signJiraWebhookJwt, verifyJiraWebhookJwt } from '@bot/platform-jira';
import { signSlackRequest, verifySlackSignature } from '@bot/platform-slack';

describe('webhook signatures', () => {
  describe('X-Hub-Signature(-256)', () => {
    // The example GitHub's "Validating webhook deliveries" page gives.
    const secret = "It's a Secret to Everybody";
    const body = Buffer.from('Hello, World!');
    const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    it("matches GitHub's documented example, either hex case", () => {
      expect(signHubSignature(secret, body)).toBe(documented);
      expect(verifyHubSignature(secret, body, documented, 'X-Hub-Signature-256')).toEqual({ valid: true });
      expect(verifyHubSignature(secret, body, documented.toUpperCase().replace('SHA256', 'sha256'), 'X-Hub-Signature-256')).toEqual({ valid: true });
    });

    it.each([
      ['missing', undefined, /missing/],
      ['not of the form sha256=', 'sha1=757107ea0eb2509fc211221cce984b8a37570b6d', /not of the form/],
      ['truncated', documented.slice(0, -2), /not of the form/],
      ['made with another secret', signHubSignature('other secret', body), /does not match/],
      ['made over another body', signHubSignature(secret, 'Hello, World?'), /does not match/],
    ])('refuses a signature that is %s', (_label, header, reason) => {
      const check = verifyHubSignature(secret, body, header, 'X-Hub-Signature-256');
      expect(check.valid).toBe(false);
      expect(!check.valid && check.reason).toMatch(reason);
    });
  });

  describe('Slack v0', () => {
    // The example of Slack's "Verifying requests from Slack" page.
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    const timestamp = 1531420618;

    it("matches Slack's documented example inside the five-minute window", () => {
      const headers = signSlackRequest(secret, body, timestamp);
      expect(headers['x-slack-signature']).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
      const presented = { timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'] };
      expect(verifySlackSignature(secret, body, presented, timestamp + 299)).toEqual({ valid: true });
      expect(verifySlackSignature(secret, body, presented, timestamp - 299)).toEqual({ valid: true });
    });

    it('refuses stale, future, missing and forged requests', () => {
      const headers = signSlackRequest(secret, body, timestamp);
      const presented = { timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'] };
      expect(verifySlackSignature(secret, body, presented, timestamp + 301)).toMatchObject({ valid: false, reason: expect.stringMatching(/five minutes/) });
      expect(verifySlackSignature(secret, body, presented, timestamp - 301)).toMatchObject({ valid: false });
      expect(verifySlackSignature(secret, body, { timestamp: undefined, signature: presented.signature }, timestamp)).toMatchObject({ valid: false });
      expect(verifySlackSignature('another secret', body, presented, timestamp)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
      // The timestamp is signed too: moving it invalidates the signature.
      expect(verifySlackSignature(secret, body, { ...presented, timestamp: String(timestamp + 1) }, timestamp)).toMatchObject({ valid: false });
    });
  });

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
