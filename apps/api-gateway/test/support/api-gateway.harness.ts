import { AppConfig } from '@bot/config';
import { Installation, InstallationRepository } from '@bot/installations';
import { buildInstallation, createTestDatabase, LogCapture, startTestApp, TestDatabase, testConfig } from '@bot/testing';
import { signJiraWebhookJwt } from '@bot/platform-jira';
import { signSentryWebhook } from '@bot/platform-sentry';
import { signSlackRequest } from '@bot/platform-slack';
import { signHubSignature } from '@bot/webhooks';
import { INestApplication } from '@nestjs/common';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { ApiGatewayModule } from '../../src/api-gateway.module';

/** A parsed JSON answer; tests assert on its shape, so it is left loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const GITHUB_WEBHOOK_SECRET = 'github-webhook-secret-for-tests';
export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const JIRA_CLIENT_SECRET = 'jira-client-secret-for-tests';
export const SENTRY_CLIENT_SECRET = 'sentry-client-secret-for-tests';

let privateKey: string | undefined;

/** The gateway's configuration for tests: every platform configured, so every route can verify. */
export function gatewayEnv(databaseUrl: string): Record<string, string> {
  privateKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    DATABASE_URL: databaseUrl,
    GITHUB_APP_ID: '4242',
    GITHUB_APP_NAME: 'test-bot',
    GITHUB_PRIVATE_KEY: privateKey,
    GITHUB_WEBHOOK_SECRET,
    SLACK_CLIENT_ID: '111.222',
    SLACK_CLIENT_SECRET: 'slack-client-secret',
    SLACK_SIGNING_SECRET,
    JIRA_CLIENT_ID: 'jira-client-id',
    JIRA_CLIENT_SECRET,
    // Tests run the Jira webhook renewal job by hand (runOnce); no timer.
    JIRA_WEBHOOK_RENEWAL_INTERVAL_MS: '0',
    SENTRY_CLIENT_ID: 'sentry-client-id',
    SENTRY_CLIENT_SECRET,
    SENTRY_APP_SLUG: 'test-bot',
  };
}

export interface TaskRow {
  id: string;
  queue: string;
  platform: string;
  installation_id: string | null;
  external_org_id: string | null;
  external_install_id: string | null;
  event_type: string;
  action: string | null;
  delivery_id: string;
  payload: Json;
  status: string;
  attempts: number;
}

/** A running api-gateway on a database of its own, with helpers that sign requests exactly as each platform does. */
export interface GatewayHarness {
  url: string;
  app: INestApplication;
  config: AppConfig;
  database: TestDatabase;
  /** Plain SQL against the gateway's database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Every task, oldest first. */
  tasks(): Promise<TaskRow[]>;
  /** Stores an installation through the entity (so secrets are encrypted as in production). */
  addInstallation(overrides: Partial<Installation>): Promise<Installation>;
  installation(id: string): Promise<Installation | null>;
  github(event: string, payload: unknown, options?: { deliveryId?: string; secret?: string; signature?: string | null }): Promise<Response>;
  slackJson(body: unknown, options?: SlackOptions): Promise<Response>;
  slackForm(fields: Record<string, string>, options?: SlackOptions): Promise<Response>;
  jira(payload: unknown, options?: { claims?: Record<string, unknown>; secret?: string; authorization?: string | null; identifier?: string }): Promise<Response>;
  jiraAdmin(installationId: string, payload: unknown, options?: { secret: string; signature?: string | null }): Promise<Response>;
  /** A Sentry delivery, signed with the client secret unless told otherwise. */
  sentry(resource: string, payload: unknown, options?: { requestId?: string; secret?: string; signature?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export interface SlackOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Drops both signature headers. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

/**
 * Starts the gateway for a test file; `env` overrides any variable. `database` runs it on an existing database (a
 * second replica), which it then does not drop; `port` picks its port (0: any); `logDestination` captures its log.
 */
export async function startGateway(env: Record<string, string> = {}, options: { database?: TestDatabase; port?: number; logDestination?: LogCapture } = {}): Promise<GatewayHarness> {
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig('api-gateway', { ...gatewayEnv(database.url), ...env });
  const app = await startTestApp(ApiGatewayModule.forRoot(config), config, options.port ?? 0, { bodies: 'raw', logDestination: options.logDestination });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  // The server may still be closing a connection of the ending pool when the database is dropped (FORCE).
  pool.on('error', () => undefined);
  const installations = app.app.get(InstallationRepository);
  const text = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

  const slack = (body: string, contentType: string, options: SlackOptions = {}) => {
    const signed = options.unsigned ? {} : signSlackRequest(options.secret ?? SLACK_SIGNING_SECRET, body, options.timestamp ?? Math.floor(Date.now() / 1000));
    return fetch(`${app.url}/webhooks/slack`, { method: 'POST', body, headers: { 'content-type': contentType, ...signed, ...options.headers } });
  };

  return {
    url: app.url,
    app: app.app,
    config,
    database,
    sql: async (query, params) => (await pool.query(query, params)).rows,
    tasks: async () => (await pool.query<TaskRow>(`SELECT * FROM webhook_tasks ORDER BY id`)).rows,
    addInstallation: (overrides) => installations.insert(buildInstallation(overrides)),
    installation: (id) => installations.findById(id),
    github: (event, payload, options = {}) => {
      const body = text(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': options.deliveryId ?? randomUUID(),
        'user-agent': 'GitHub-Hookshot/test',
      };
      if (options.signature !== null) headers['x-hub-signature-256'] = options.signature ?? signHubSignature(options.secret ?? GITHUB_WEBHOOK_SECRET, body);
      return fetch(`${app.url}/webhooks/github`, { method: 'POST', body, headers });
    },
    slackJson: (body, options) => slack(text(body), 'application/json', options),
    slackForm: (fields, options) => slack(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', options),
    jira: (payload, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const token = signJiraWebhookJwt(options.secret ?? JIRA_CLIENT_SECRET, options.claims ?? { iss: 'jira', iat: now, exp: now + 180 });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.authorization !== null) headers['authorization'] = options.authorization ?? `Bearer ${token}`;
      if (options.identifier) headers['x-atlassian-webhook-identifier'] = options.identifier;
      return fetch(`${app.url}/webhooks/jira`, { method: 'POST', body: text(payload), headers });
    },
    jiraAdmin: (installationId, payload, options = { secret: '' }) => {
      const body = text(payload);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.signature !== null) headers['x-hub-signature'] = options.signature ?? signHubSignature(options.secret, body);
      return fetch(`${app.url}/webhooks/jira/${installationId}`, { method: 'POST', body, headers });
    },
    sentry: (resource, payload, options = {}) => {
      const body = text(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'sentry-hook-resource': resource,
        'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000)),
        'request-id': options.requestId ?? randomUUID(),
        ...options.headers,
      };
      if (options.signature !== null) headers['sentry-hook-signature'] = options.signature ?? signSentryWebhook(options.secret ?? SENTRY_CLIENT_SECRET, body);
      return fetch(`${app.url}/webhooks/sentry`, { method: 'POST', body, headers });
    },
    close: async () => {
      await app.close();
      await pool.end();
      if (!options.database) await database.drop();
    },
  };
}

/** A deep copy of one of GitHub's published example payloads (`@octokit/webhooks-examples`) for an event and action. */
export function githubExample(event: string, action?: string): Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const index = require('@octokit/webhooks-examples') as { name: string; examples: Json[] }[];
  const examples = index.find((entry) => entry.name === event)?.examples ?? [];
  const example = examples.find((candidate) => action === undefined || candidate.action === action);
  if (!example) throw new Error(`no published example of ${event}${action ? `.${action}` : ''}`);
  return structuredClone(example);
}

/** Waits until `check` holds (for effects that land after the answer, like a NOTIFY). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The JSON body of a response. */
export async function json(response: Response | Promise<Response>): Promise<Json> {
  return (await response).json();
}
