import type { AppConfig } from '@bot/config';

/** Field names that hold credentials wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'client_secret',
  'clientSecret',
  'code_verifier',
  'privateKey',
  'webhookSecret',
  'signingSecret',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-slack-signature',
];

/**
 * pino redaction paths, configured once for every app: the secret fields at the top of a logged object, one level
 * down (`headers.authorization`, `body.client_secret`), and in `req.headers` / `res.headers`.
 */
export const REDACT_PATHS: string[] = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const member = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${member}`, `req.headers${member}`, `res.headers${member}`];
}).concat(
  // OAuth `code` and `state` only where they are the OAuth parameters: elsewhere `code` is an error code.
  ['query.code', 'query.state', 'req.query.code', 'req.query.state', 'body.code', 'body.state'],
);

/** Config keys whose string values are credentials: `clientSecret`, `webhookSecret`, `adminApiKey`, `privateKey`, `githubToken`, … */
const SECRET_CONFIG_KEY = /(secret|token|apikey|privatekey|password)$/i;

/**
 * Every secret value the config holds, for the log scrubber: values under credential-named keys anywhere in it (so a
 * platform added later is covered without a change here), the encryption keys in both base64 spellings and the
 * database password.
 */
export function configuredSecrets(config: AppConfig): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (SECRET_CONFIG_KEY.test(key)) found.push(value);
    } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [childKey, child] of Object.entries(value)) walk(child, childKey);
    }
  };
  walk(config, '');
  for (const key of [config.encryption.current, ...config.encryption.previous]) found.push(key.material.toString('base64'), key.material.toString('base64url'));
  if (config.databaseUrl) found.push(decodeURIComponent(new URL(config.databaseUrl).password));
  return found.filter((secret) => secret !== '');
}
