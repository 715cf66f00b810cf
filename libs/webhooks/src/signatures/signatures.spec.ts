import { signHubSignature, verifyHubSignature } from './hub-signature';

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
});
