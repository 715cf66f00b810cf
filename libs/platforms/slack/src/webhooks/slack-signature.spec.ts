import { signSlackRequest, verifySlackSignature } from './slack-signature';

describe('webhook signatures', () => {
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
});
