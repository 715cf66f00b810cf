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

/** Every secret value the config holds, for the log scrubber (encryption keys in both base64 spellings). */
export function configuredSecrets(config: AppConfig): string[] {
  const keys = [config.encryption.current, ...config.encryption.previous].flatMap((key) => [key.material.toString('base64'), key.material.toString('base64url')]);
  const databasePassword = config.databaseUrl ? decodeURIComponent(new URL(config.databaseUrl).password) : '';
  return [
    ...keys,
    config.adminApiKey,
    config.serviceApiKey,
    config.github?.clientSecret,
    config.github?.webhookSecret,
    config.slack?.clientSecret,
    config.slack?.signingSecret,
    config.slack?.stateSecret,
    config.jira?.clientSecret,
    config.legacy.githubToken,
    config.legacy.slackBotToken,
    config.legacy.jiraApiToken,
    config.observability.metricsToken,
    databasePassword,
  ].filter((secret): secret is string => Boolean(secret));
}
