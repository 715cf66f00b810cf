import { EncryptionKey } from '@bot/crypto';
import { AppName } from './app-name';
import type { LegacyTokens, PlatformSettings, UpstreamUrls } from './platforms';

export type { GitHubAppCredentials, JiraAppCredentials, LegacyTokens, PlatformSettings, SentryAppCredentials, SlackAppCredentials, UpstreamUrls } from './platforms';

export type NodeEnv = 'development' | 'production' | 'test';

/** Where and how installation health events are POSTed (see docs/events.md). */
export interface EventWebhookSettings {
  /** Endpoints from EVENT_WEBHOOK_URLS; more can be registered through `/oauth/event-endpoints`. */
  urls: string[];
  /** Signing secret of the EVENT_WEBHOOK_URLS endpoints; set whenever `urls` is not empty. */
  secret?: string;
  /** Time limit of one delivery attempt. */
  timeoutMs: number;
  /** Delay after the first failed attempt; it doubles per attempt (capped at an hour) for 24 hours. */
  retryBaseMs: number;
}

/** Logs, metrics and traces (libs/observability). */
export interface ObservabilitySettings {
  /** `json`: one JSON object per line (production, log shippers); `pretty`: coloured text for a terminal. */
  logFormat: 'json' | 'pretty';
  /** One log line per HTTP request (LOG_REQUESTS); errors and warnings are logged either way. */
  logRequests: boolean;
  /** Metrics are recorded and served on `/metrics` (METRICS_ENABLED). */
  metricsEnabled: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken?: string;
  /** OTLP/HTTP base URL (e.g. http://localhost:4318); traces are exported only when it is set. */
  otlpEndpoint?: string;
  /** Share of new traces sampled, 0 to 1; a caller's sampling decision (traceparent) wins. */
  traceSampleRatio: number;
}

export interface EmbeddedPostgresSettings {
  dataDir: string;
  port: number;
}

/** Typed configuration of one app, validated once at start. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AppConfig {
  abstract readonly appName: AppName;
  abstract readonly nodeEnv: NodeEnv;
  abstract readonly port: number;
  abstract readonly baseUrl: string;
  /** Unset: the embedded PostgreSQL is used. */
  abstract readonly databaseUrl?: string;
  abstract readonly embeddedPostgres: EmbeddedPostgresSettings;
  abstract readonly encryption: { current: EncryptionKey; previous: EncryptionKey[] };
  abstract readonly adminApiKey: string;
  abstract readonly serviceApiKey: string;
  /** Every platform's base URLs (declared with its variables in src/platforms). */
  abstract readonly upstream: UpstreamUrls;
  abstract readonly legacy: LegacyTokens;
  /** Public origin of api-gateway, where platforms send the webhooks we register (Jira dynamic webhooks). */
  abstract readonly webhookPublicBaseUrl: string;
  abstract readonly bodyLimit: string;
  /** Largest request body the pass-through apps stream to a platform. */
  abstract readonly proxyBodyLimitBytes: number;
  /** Largest webhook body api-gateway reads (GitHub caps its payloads at 25 MB); 413 beyond it. */
  abstract readonly webhookBodyLimitBytes: number;
  /**
   * Public base URL of this app as agents reach it (`<APP>_PUBLIC_URL`, e.g. GITHUB_API_PUBLIC_URL), used for
   * URLs the app writes into answers (`Link` pagination). Unset: derived per request, see `trustProxy`.
   */
  abstract readonly publicUrl?: string;
  /**
   * Where every API app is reached (`<APP>_PUBLIC_URL`; outside production `http://localhost:<its port>` when
   * unset), for the typed clients that call the platforms through the apps.
   */
  abstract readonly apiAppUrls: Partial<Record<AppName, string>>;
  /**
   * True: a reverse proxy fronts the app. `X-Forwarded-Proto`/`X-Forwarded-Host` are believed when no publicUrl is
   * set, and the nearest proxy's `X-Forwarded-For` entry is the client address (the rate-limit key).
   */
  abstract readonly trustProxy: boolean;
  /**
   * How long an API process may serve cached tokens after its last successful heartbeat on the change-listener
   * connection; also the longest a revoke waits for an unreachable process.
   */
  abstract readonly tokenCacheLeaseMs: number;
  /** Time limit of every call to a platform. */
  abstract readonly upstreamTimeoutMs: number;
  /** Where `return_to` may point after an install: origin plus path prefix. */
  abstract readonly returnToAllowlist: { origin: string; pathname: string }[];
  /** Requests per minute per client address on the install and callback routes. */
  abstract readonly oauthRateLimitPerMinute: number;
  /** Set: rate-limit counters live in this Redis; unset: in PostgreSQL. Either way every replica shares them. */
  abstract readonly redisUrl?: string;
  /** Sign-in attempts per minute per client address on the operator console. */
  abstract readonly adminLoginRateLimitPerMinute: number;
  abstract readonly eventWebhooks: EventWebhookSettings;
  abstract readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  abstract readonly observability: ObservabilitySettings;
  /**
   * `auto` (default in development): every platform without credentials is pointed at the checkout's shared
   * sandbox of fakes, under `npm start` and `nx serve` alike. `off` by default in tests, always in production.
   */
  abstract readonly sandbox: 'auto' | 'off';
  /** Where the sandbox keeps what its fakes issued and who runs them (`sandbox.json`). */
  abstract readonly sandboxDir: string;
  /** Names of secrets that were generated for local development instead of read from the environment. */
  abstract readonly generatedDevSecrets: string[];
}

/**
 * Each platform's credentials (`github`, `slack`, `jira`, `sentry`), declared with its variables in src/platforms
 * and merged into AppConfig here, so a new platform adds no field to this file.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface AppConfig extends PlatformSettings {}
