import { EncryptionKey, parseEncryptionKey } from '@bot/crypto';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { AppConfig, NodeEnv } from './app-config';
import { APP_NAMES, AppName, DEFAULT_PORTS } from './app-name';
import { DevSecretStore } from './dev-secret-store';
import { declaredVariableNames, EnvironmentVariables } from './environment-variables';
import { LegacyTokens, PLATFORM_CONFIGS, PlatformSettings, UpstreamUrls } from './platforms';
import { Env, PlatformConfigPart, stripSlash } from './platforms/platform-config';

/** Start-up configuration failure; its message is one line naming every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadAppConfigOptions {
  /** Variables to read instead of `process.env` plus `.env` (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Workspace directory holding `.env` and `.data/`; defaults to the current directory. */
  cwd?: string;
}

/** Every variable the apps read: the core ones, then each platform's. */
export function environmentVariableNames(): string[] {
  return [...new Set([EnvironmentVariables, ...PLATFORM_CONFIGS.map((platform) => platform.variables)].flatMap(declaredVariableNames))];
}

/** Apps that write their own public URL into answers (github-api rewrites `Link` pagination URLs). */
const APPS_WRITING_PUBLIC_URLS: AppName[] = ['github-api', 'sentry-api'];

/** Secrets with no safe default: required in production, generated and kept under `.data/` otherwise. */
const DEV_GENERATED_SECRETS = ['TOKEN_ENCRYPTION_KEY', 'ADMIN_API_KEY', 'SERVICE_API_KEY'] as const;
/** Generated for development like the above, but only when something needs it. */
type DevSecretName = (typeof DEV_GENERATED_SECRETS)[number] | 'EVENT_WEBHOOK_SECRET';

/** Reads `.env` (when present) under the real environment, which wins. */
export function readEnvironment(cwd = process.cwd()): Env {
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** Validates the environment of one app into its typed config; throws ConfigError naming each bad variable. */
export function loadAppConfig(appName: AppName, options: LoadAppConfigOptions = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  const env: Env = { ...(options.env ?? readEnvironment(cwd)) };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() === '') delete env[name];
  }

  const problems = [EnvironmentVariables, ...PLATFORM_CONFIGS.map((platform) => platform.variables)].flatMap((variables) =>
    flattenErrors(validateSync(plainToInstance(variables, env, { excludeExtraneousValues: false }), { skipMissingProperties: false })),
  );
  const nodeEnv = (env['NODE_ENV'] ?? 'development') as NodeEnv;
  const production = nodeEnv === 'production';

  if (production) {
    for (const name of ['DATABASE_URL', 'BASE_URL', ...DEV_GENERATED_SECRETS]) {
      if (!env[name]) problems.push(`${name} is required when NODE_ENV=production`);
    }
    // OAuth redirect URIs are built from it; providers and browsers must reach the callback over TLS.
    if (env['BASE_URL'] && !/^https:\/\//i.test(env['BASE_URL'])) {
      problems.push('BASE_URL must be an https:// URL when NODE_ENV=production (OAuth redirects carry codes and state)');
    }
  }
  for (const group of PLATFORM_CONFIGS) {
    const present = [...group.required, ...group.optional].filter((name) => env[name]);
    if (present.length === 0) continue;
    for (const name of group.required) {
      if (!env[name]) problems.push(`${name} is required because ${present[0]} is set (${group.displayName} is partly configured)`);
    }
    problems.push(...(group.problems?.(env, production) ?? []));
  }
  const appPublicUrlVar = publicUrlVariable(appName);
  const trustProxy = env['TRUST_PROXY'] === 'true' || env['TRUST_PROXY'] === '1';
  // A Link built from a caller's Host header could send an agent (and its service key) anywhere.
  if (production && APPS_WRITING_PUBLIC_URLS.includes(appName) && !env[appPublicUrlVar] && !trustProxy) {
    problems.push(`${appPublicUrlVar} is required when NODE_ENV=production (or set TRUST_PROXY=true behind a proxy that sets X-Forwarded-Host)`);
  }
  if (production && env['EVENT_WEBHOOK_URLS'] && !env['EVENT_WEBHOOK_SECRET']) {
    problems.push('EVENT_WEBHOOK_SECRET is required because EVENT_WEBHOOK_URLS is set');
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  const generatedDevSecrets: string[] = [];
  const devSecrets = new DevSecretStore(join(cwd, '.data', 'dev-secrets.json'));
  const secret = (name: DevSecretName): string => {
    const value = env[name];
    if (value) return value;
    generatedDevSecrets.push(name);
    return devSecrets.get(name);
  };

  const appPortVar = `${appName.toUpperCase().replace(/-/g, '_')}_PORT`;
  const port = Number(env[appPortVar] ?? env['PORT'] ?? DEFAULT_PORTS[appName]);
  const embeddedDir = env['EMBEDDED_POSTGRES_DIR'] ?? join('.data', 'postgres');
  const sandboxDir = env['SANDBOX_DIR'] ?? join('.data', 'sandbox');

  const previous: EncryptionKey[] = (env['TOKEN_ENCRYPTION_PREVIOUS_KEYS'] ?? '')
    .split(',')
    .filter((part) => part.trim() !== '')
    .map(parseEncryptionKey);

  const baseUrl = stripSlash(env['BASE_URL'] ?? `http://localhost:${DEFAULT_PORTS['oauth-service']}`);
  const returnToAllowlist = (env['OAUTH_RETURN_TO_ALLOWLIST'] ?? `${baseUrl}/`)
    .split(',')
    .map((prefix) => new URL(prefix.trim()))
    .map((url) => ({ origin: url.origin, pathname: url.pathname }));

  const parts: PlatformConfigPart[] = PLATFORM_CONFIGS.map((platform) => platform.read(env));
  const platforms = Object.assign({}, ...parts.map((part) => part.settings)) as PlatformSettings;
  const upstream = Object.assign({}, ...parts.map((part) => part.upstream)) as UpstreamUrls;
  const legacy = Object.assign({}, ...parts.map((part) => part.legacy)) as LegacyTokens;

  const eventWebhookUrls = [...new Set((env['EVENT_WEBHOOK_URLS'] ?? '').split(',').map((url) => url.trim()).filter((url) => url !== ''))];

  const config: AppConfig = {
    appName,
    nodeEnv,
    port,
    baseUrl,
    returnToAllowlist,
    databaseUrl: env['DATABASE_URL'],
    embeddedPostgres: {
      dataDir: isAbsolute(embeddedDir) ? embeddedDir : join(cwd, embeddedDir),
      port: Number(env['EMBEDDED_POSTGRES_PORT'] ?? 54329),
    },
    encryption: { current: parseEncryptionKey(secret('TOKEN_ENCRYPTION_KEY')), previous },
    adminApiKey: secret('ADMIN_API_KEY'),
    serviceApiKey: secret('SERVICE_API_KEY'),
    ...platforms,
    upstream,
    legacy,
    webhookPublicBaseUrl: stripSlash(env['WEBHOOK_PUBLIC_BASE_URL'] ?? gatewayOrigin(baseUrl, Number(env['API_GATEWAY_PORT'] ?? DEFAULT_PORTS['api-gateway']))),
    bodyLimit: env['BODY_LIMIT'] ?? '1mb',
    proxyBodyLimitBytes: sizeInBytes(env['PROXY_BODY_LIMIT'] ?? '25mb'),
    webhookBodyLimitBytes: sizeInBytes(env['WEBHOOK_BODY_LIMIT'] ?? '25mb'),
    publicUrl: env[appPublicUrlVar] ? stripSlash(env[appPublicUrlVar]) : undefined,
    apiAppUrls: apiAppUrls(env, production),
    trustProxy,
    tokenCacheLeaseMs: Number(env['TOKEN_CACHE_LEASE_MS'] ?? 2000),
    upstreamTimeoutMs: Number(env['UPSTREAM_TIMEOUT_MS'] ?? 10_000),
    oauthRateLimitPerMinute: Number(env['OAUTH_RATE_LIMIT_PER_MINUTE'] ?? 60),
    redisUrl: env['REDIS_URL'],
    adminLoginRateLimitPerMinute: Number(env['ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE'] ?? 10),
    eventWebhooks: {
      urls: eventWebhookUrls,
      secret: eventWebhookUrls.length > 0 ? secret('EVENT_WEBHOOK_SECRET') : env['EVENT_WEBHOOK_SECRET'],
      timeoutMs: Number(env['EVENT_WEBHOOK_TIMEOUT_MS'] ?? 10_000),
      retryBaseMs: Number(env['EVENT_WEBHOOK_RETRY_BASE_MS'] ?? 10_000),
    },
    logLevel: (env['LOG_LEVEL'] ?? 'log') as AppConfig['logLevel'],
    observability: {
      logFormat: (env['LOG_FORMAT'] ?? (nodeEnv === 'development' ? 'pretty' : 'json')) as 'json' | 'pretty',
      logRequests: switchOn(env['LOG_REQUESTS'], true),
      metricsEnabled: switchOn(env['METRICS_ENABLED'], true),
      metricsToken: env['METRICS_TOKEN'],
      otlpEndpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? stripSlash(env['OTEL_EXPORTER_OTLP_ENDPOINT']) : undefined,
      traceSampleRatio: Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? 1),
    },
    // Development runs (npm start, nx serve) get the fakes by default; tests start their own; production never.
    sandbox: production ? 'off' : ((env['SANDBOX'] ?? (nodeEnv === 'development' ? 'auto' : 'off')) as AppConfig['sandbox']),
    sandboxDir: isAbsolute(sandboxDir) ? sandboxDir : join(cwd, sandboxDir),
    generatedDevSecrets,
  };
  return Object.freeze(config);
}

/** `GITHUB_API_PUBLIC_URL` for github-api. */
function publicUrlVariable(app: AppName): string {
  return `${app.toUpperCase().replace(/-/g, '_')}_PUBLIC_URL`;
}

/** Each API app's public URL; outside production an unset one is the app's local address. */
function apiAppUrls(env: Env, production: boolean): AppConfig['apiAppUrls'] {
  const urls: AppConfig['apiAppUrls'] = {};
  for (const app of APP_NAMES.filter((name) => name.endsWith('-api'))) {
    const configured = env[publicUrlVariable(app)];
    const port = env[`${app.toUpperCase().replace(/-/g, '_')}_PORT`] ?? DEFAULT_PORTS[app];
    if (configured) urls[app] = stripSlash(configured);
    else if (!production) urls[app] = `http://localhost:${port}`;
  }
  return urls;
}

/** BASE_URL's origin with api-gateway's port: where the gateway is in development, when nothing says otherwise. */
function gatewayOrigin(baseUrl: string, port: number): string {
  const url = new URL(baseUrl);
  url.port = String(port);
  return url.origin;
}

/** `512kb`, `25mb`, `100b` in bytes (validated beforehand). */
function sizeInBytes(size: string): number {
  const [, amount, unit] = /^(\d+)(b|kb|mb)$/i.exec(size) as RegExpExecArray;
  return Number(amount) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb'];
}

/** An on/off variable (validated beforehand): true, on, 1 / false, off, 0. */
function switchOn(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : ['true', 'on', '1'].includes(value);
}

function flattenErrors(errors: ValidationError[]): string[] {
  // Constraint messages already name the variable; values are never echoed because they may be secrets.
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}
