const REDACTED = '[REDACTED]';

/** Shapes of credentials worth catching even when nobody told us their value; `$1` is kept, the rest replaced. */
const CREDENTIAL_SHAPES: RegExp[] = [
  // Authorization header values quoted in a message.
  /(\b(?:Bearer|Basic|bearer|basic|BEARER|BASIC)\s+)[A-Za-z0-9._~+/=-]{12,}/g,
  // GitHub installation, user and app tokens.
  /(\b)(?:gh[pousr]_|github_pat_)[A-Za-z0-9_-]{16,}/g,
  // Slack bot, user, rotating and refresh tokens (xoxb-…, xoxe.xoxb-…, xoxe-1-…).
  /(\b)xox[a-z]{1,2}[.-][A-Za-z0-9._-]{8,}/g,
  // JWTs (Atlassian access tokens, GitHub App JWTs, Jira webhook JWTs).
  /(\b)eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]{8,}/g,
  // PEM private keys, with real or JSON-escaped newlines.
  /()-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // OAuth parameters in URLs and form bodies.
  /((?:[?&]|\b)(?:code|state|client_secret|refresh_token|access_token|code_verifier|password)=)[^&\s"'#,\\]+/g,
];

/** Known values shorter than this are not scrubbed: they would match ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 10;

/**
 * The last line of defence against a secret in a log line: replaces the configured secret values and anything
 * shaped like a platform token, OAuth parameter or private key in the serialised line. Code should never log
 * them in the first place (pino's redaction paths cover structured fields); this catches what slips into a
 * message text. Lines without a match (nearly all) cost one regular-expression test.
 */
export class LogScrubber {
  private readonly detector: RegExp;
  private readonly rules: RegExp[];

  constructor(knownSecrets: readonly string[]) {
    const literals = [...new Set(knownSecrets.filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH))]
      // Longest first, so a secret containing another is replaced whole.
      .sort((a, b) => b.length - a.length)
      .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)])
      .map(escapeRegExp);
    const known = literals.length > 0 ? [new RegExp(`()(?:${[...new Set(literals)].join('|')})`, 'g')] : [];
    this.rules = [...known, ...CREDENTIAL_SHAPES];
    this.detector = new RegExp(this.rules.map((rule) => rule.source).join('|'));
  }

  /** The line with every secret replaced by `[REDACTED]` (the same string when there is none). */
  scrub(line: string): string {
    if (!this.detector.test(line)) return line;
    let scrubbed = line;
    for (const rule of this.rules) scrubbed = scrubbed.replace(rule, `$1${REDACTED}`);
    return scrubbed;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
