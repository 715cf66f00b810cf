import { LogScrubber } from './log-scrubber';

describe('LogScrubber', () => {
  const scrubber = new LogScrubber(['known-secret-value-123', 'short', 'with "quotes" inside-1']);

  it('returns a line without secrets unchanged (the same string)', () => {
    const line = '{"level":"info","msg":"request completed","route":"/repos/{*path}","status":200}';
    expect(scrubber.scrub(line)).toBe(line);
  });

  it.each([
    ['a known secret', 'x known-secret-value-123 y', 'x [REDACTED] y'],
    ['a known secret as JSON escapes it', JSON.stringify({ msg: 'with "quotes" inside-1' }), '{"msg":"[REDACTED]"}'],
    ['a bearer credential', 'sent Authorization: Bearer abcdefghijklmnop', 'sent Authorization: Bearer [REDACTED]'],
    ['a GitHub token', 'token ghs_16C7e42F292c6912E7710c838347Ae178B4a rejected', 'token [REDACTED] rejected'],
    ['a Slack rotating token', 'xoxe.xoxb-1-MTIzNDU2Nzg5MA-abc is expired', '[REDACTED] is expired'],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end', 'jwt [REDACTED] end'],
    ['OAuth parameters', '/cb?code=abc&state=def&x=1', '/cb?code=[REDACTED]&state=[REDACTED]&x=1'],
    ['a form body', 'client_id=1&client_secret=s3cr3t&refresh_token=rt-1', 'client_id=1&client_secret=[REDACTED]&refresh_token=[REDACTED]'],
    ['a private key', '"-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----"', '"[REDACTED]"'],
  ])('replaces %s', (_what, line, scrubbed) => {
    expect(scrubber.scrub(line)).toBe(scrubbed);
  });

  it('leaves values too short to be told from words (under 10 characters) alone', () => {
    expect(scrubber.scrub('a short word')).toBe('a short word');
  });
});
