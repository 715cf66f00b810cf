import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from './load-app-config';

const key = () => randomBytes(32).toString('base64url');
const production = () => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db:5432/bot',
  BASE_URL: 'https://bot.example.com',
  TOKEN_ENCRYPTION_KEY: key(),
  ADMIN_API_KEY: 'a'.repeat(32),
  SERVICE_API_KEY: 's'.repeat(32),
});
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
const madeDirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bot-config-'));
  madeDirs.push(dir);
  return dir;
};
afterAll(() => madeDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('loadAppConfig', () => {
  it('builds typed config with SPEC defaults', () => {
    const config = loadAppConfig('github-api', { env: { ...production(), GITHUB_API_PUBLIC_URL: 'https://github-api.example.com/' }, cwd: freshDir() });
    expect(config.publicUrl).toBe('https://github-api.example.com');
    expect(config.trustProxy).toBe(false);
    expect(config.tokenCacheLeaseMs).toBe(2000);
    expect(config.port).toBe(3001);
    expect(config.upstream).toEqual({
      githubBaseUrl: 'https://github.com',
      githubApiBaseUrl: 'https://api.github.com',
      slackBaseUrl: 'https://slack.com',
      atlassianAuthBaseUrl: 'https://auth.atlassian.com',
      atlassianApiBaseUrl: 'https://api.atlassian.com',
      sentryBaseUrl: 'https://sentry.io',
    });
    expect(config.github).toBeUndefined();
    expect(config.generatedDevSecrets).toEqual([]);
  });

  it.each(['TOKEN_ENCRYPTION_KEY', 'ADMIN_API_KEY', 'SERVICE_API_KEY', 'DATABASE_URL', 'BASE_URL'])(
    'production without %s fails with one line naming it',
    (name) => {
      const env: Record<string, string | undefined> = production();
      delete env[name];
      const error = errorOf(() => loadAppConfig('oauth-service', { env, cwd: freshDir() }));
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
    },
  );

  it('names malformed variables without echoing their values', () => {
    const secretLooking = 'not-a-key-but-secret-looking-value';
    const error = errorOf(() =>
      loadAppConfig('oauth-service', {
        env: { ...production(), PORT: 'eighty', TOKEN_ENCRYPTION_KEY: secretLooking, DATABASE_URL: 'mysql://x', GITHUB_BASE_URL: 'ftp://x' },
        cwd: freshDir(),
      }),
    );
    expect(error.problems.join(' ')).toMatch(/PORT/);
    expect(error.message).toMatch(/TOKEN_ENCRYPTION_KEY must be 32 random bytes/);
    expect(error.message).toMatch(/DATABASE_URL must be a postgres/);
    expect(error.message).toMatch(/GITHUB_BASE_URL must be an http/);
    expect(error.message).not.toContain(secretLooking);
  });

  it('requires the rest of a platform once part of it is configured', () => {
    const error = errorOf(() => loadAppConfig('oauth-service', { env: { ...production(), GITHUB_APP_ID: '123' }, cwd: freshDir() }));
    expect(error.message).toContain('GITHUB_APP_NAME is required because GITHUB_APP_ID is set');
    expect(error.message).toContain('GITHUB_PRIVATE_KEY is required');
  });

  it('accepts a GitHub private key with \\n escapes and rejects one that is not a key', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const env = { ...production(), GITHUB_APP_ID: '42', GITHUB_APP_NAME: 'my-bot', GITHUB_PRIVATE_KEY: pem.replace(/\n/g, '\\n') };
    expect(loadAppConfig('oauth-service', { env, cwd: freshDir() }).github?.privateKey).toBe(pem);
    const error = errorOf(() => loadAppConfig('oauth-service', { env: { ...env, GITHUB_PRIVATE_KEY: 'nope' }, cwd: freshDir() }));
    expect(error.message).toContain('GITHUB_PRIVATE_KEY must be a PEM private key');
  });

  it('parses previous keys for decryption and the per-app port override', () => {
    const previous = [key(), key()];
    const config = loadAppConfig('slack-api', {
      env: { ...production(), TOKEN_ENCRYPTION_PREVIOUS_KEYS: previous.join(','), PORT: '9000', SLACK_API_PORT: '9123' },
      cwd: freshDir(),
    });
    expect(config.encryption.previous).toHaveLength(2);
    expect(config.port).toBe(9123);
  });

  it('in development generates missing secrets once, keeps them in .data/ with mode 0600, and reuses them', () => {
    const cwd = freshDir();
    const first = loadAppConfig('oauth-service', { env: {}, cwd });
    expect(first.generatedDevSecrets).toEqual(['TOKEN_ENCRYPTION_KEY', 'ADMIN_API_KEY', 'SERVICE_API_KEY']);
    expect(first.databaseUrl).toBeUndefined();
    const file = join(cwd, '.data', 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadAppConfig('api-gateway', { env: {}, cwd });
    expect(second.adminApiKey).toBe(first.adminApiKey);
    expect(second.encryption.current.id).toBe(first.encryption.current.id);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('SERVICE_API_KEY', first.serviceApiKey);
  });

  it('github-api in production needs its public URL (or TRUST_PROXY), since it writes Link URLs agents follow', () => {
    const error = errorOf(() => loadAppConfig('github-api', { env: production(), cwd: freshDir() }));
    expect(error.message).toContain('GITHUB_API_PUBLIC_URL is required');
    expect(loadAppConfig('github-api', { env: { ...production(), TRUST_PROXY: 'true' }, cwd: freshDir() })).toMatchObject({ trustProxy: true, publicUrl: undefined });
    // Each app reads its own variable; the others do not need one.
    expect(loadAppConfig('slack-api', { env: { ...production(), SLACK_API_PUBLIC_URL: 'https://slack-api.example.com', GITHUB_API_PUBLIC_URL: 'https://g.example.com' }, cwd: freshDir() }).publicUrl).toBe(
      'https://slack-api.example.com',
    );
    expect(errorOf(() => loadAppConfig('jira-api', { env: { ...production(), JIRA_API_PUBLIC_URL: 'ftp://x', TOKEN_CACHE_LEASE_MS: '10' }, cwd: freshDir() })).message).toMatch(
      /JIRA_API_PUBLIC_URL.*TOKEN_CACHE_LEASE_MS|TOKEN_CACHE_LEASE_MS.*JIRA_API_PUBLIC_URL/,
    );
  });

  it('every app knows where the API apps are: configured URLs, else their local ports outside production', () => {
    const dev = loadAppConfig('oauth-service', { env: { SLACK_API_PORT: '4003', JIRA_API_PUBLIC_URL: 'https://jira-api.example.com/' }, cwd: freshDir() });
    expect(dev.apiAppUrls).toEqual({ 'github-api': 'http://localhost:3001', 'slack-api': 'http://localhost:4003', 'jira-api': 'https://jira-api.example.com', 'sentry-api': 'http://localhost:3004' });
    const prod = loadAppConfig('oauth-service', { env: { ...production(), GITHUB_API_PUBLIC_URL: 'https://gh.example.com' }, cwd: freshDir() });
    expect(prod.apiAppUrls).toEqual({ 'github-api': 'https://gh.example.com' });
  });

  it.each(['http://bot.example.com', 'http://localhost:8010'])('production refuses the non-https BASE_URL %s with one line naming it', (baseUrl) => {
    const error = errorOf(() => loadAppConfig('oauth-service', { env: { ...production(), BASE_URL: baseUrl }, cwd: freshDir() }));
    expect(error.message).toBe(
      'Invalid configuration: BASE_URL must be an https:// URL when NODE_ENV=production (OAuth redirects carry codes and state)',
    );
  });

  it('development keeps accepting an http BASE_URL', () => {
    const config = loadAppConfig('oauth-service', { env: { ...production(), NODE_ENV: 'development', BASE_URL: 'http://localhost:8010' }, cwd: freshDir() });
    expect(config.baseUrl).toBe('http://localhost:8010');
  });

  it('reads REDIS_URL, and names it when malformed without echoing it', () => {
    const defaults = loadAppConfig('oauth-service', { env: production(), cwd: freshDir() });
    expect(defaults.redisUrl).toBeUndefined();
    const set = (extra: Record<string, string>) => loadAppConfig('oauth-service', { env: { ...production(), ...extra }, cwd: freshDir() });
    expect(set({ REDIS_URL: 'rediss://:pw@redis.internal:6380/2' }).redisUrl).toBe('rediss://:pw@redis.internal:6380/2');
    const error = errorOf(() => set({ REDIS_URL: 'http://cache:6379' }));
    expect(error.message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
    expect(error.message).not.toContain('cache:6379');
  });

  it('never generates secrets in production', () => {
    const cwd = freshDir();
    expect(() => loadAppConfig('oauth-service', { env: { NODE_ENV: 'production' }, cwd })).toThrow(ConfigError);
    expect(existsSync(join(cwd, '.data'))).toBe(false);
  });

  it('reads .env under the real environment when no env is passed', () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, '.env'), 'BODY_LIMIT=2mb\nGITHUB_API_BASE_URL=http://127.0.0.1:9/\n');
    const previous = process.env['BODY_LIMIT'];
    process.env['BODY_LIMIT'] = '3mb';
    try {
      const config = loadAppConfig('github-api', { cwd });
      expect(config.bodyLimit).toBe('3mb');
      expect(config.upstream.githubApiBaseUrl).toBe('http://127.0.0.1:9');
    } finally {
      if (previous === undefined) delete process.env['BODY_LIMIT'];
      else process.env['BODY_LIMIT'] = previous;
    }
  });

  it('observability: JSON logs in production and pretty ones in development, metrics and request logs on, traces off', () => {
    expect(loadAppConfig('api-gateway', { env: production(), cwd: freshDir() }).observability).toEqual({
      logFormat: 'json',
      logRequests: true,
      metricsEnabled: true,
      metricsToken: undefined,
      otlpEndpoint: undefined,
      traceSampleRatio: 1,
    });
    expect(loadAppConfig('api-gateway', { env: {}, cwd: freshDir() }).observability.logFormat).toBe('pretty');
    expect(loadAppConfig('api-gateway', { env: { NODE_ENV: 'test' }, cwd: freshDir() }).observability.logFormat).toBe('json');
  });

  it('observability: the switches, the metrics token, the OTLP endpoint and the sampling ratio', () => {
    const env = {
      ...production(),
      LOG_FORMAT: 'pretty',
      LOG_REQUESTS: 'off',
      METRICS_ENABLED: '0',
      METRICS_TOKEN: 'm'.repeat(20),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    };
    expect(loadAppConfig('slack-api', { env, cwd: freshDir() }).observability).toEqual({
      logFormat: 'pretty',
      logRequests: false,
      metricsEnabled: false,
      metricsToken: 'm'.repeat(20),
      otlpEndpoint: 'http://collector:4318',
      traceSampleRatio: 0.25,
    });
    const error = errorOf(() =>
      loadAppConfig('slack-api', {
        env: { ...production(), LOG_FORMAT: 'xml', LOG_REQUESTS: 'maybe', METRICS_TOKEN: 'short', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x', OTEL_TRACES_SAMPLER_ARG: '2' },
        cwd: freshDir(),
      }),
    );
    for (const name of ['LOG_FORMAT', 'LOG_REQUESTS', 'METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_SAMPLER_ARG']) expect(error.message).toContain(name);
  });
});
