import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { createTestDatabase, freePort, startTestApp, TestDatabase, testConfig, TEST_ADMIN_API_KEY } from '@bot/testing';
import { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { OAuthServiceModule } from '../../src/oauth-service.module';

/** A parsed JSON answer; tests assert on its shape, so it is left loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** The JSON body of a response. */
export async function json(response: Response | Promise<Response>): Promise<Json> {
  return (await response).json();
}

/** A running oauth-service on its own database, with the sandbox fakes as its providers. */
export interface OAuthServiceHarness {
  url: string;
  app: INestApplication;
  sandbox: PlatformSandbox;
  database: TestDatabase;
  /** Plain SQL against the service's database, bypassing the entities (to see what is really stored). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Starts an install and lets the fake approve it; returns the callback URL the browser would open. A state
   * cookie the install set (Sentry) is remembered and sent by `callback` for that URL, as a browser would.
   */
  approve(platform: 'github' | 'slack' | 'jira' | 'sentry', fakeParams?: Record<string, string>): Promise<string>;
  /** Opens a callback URL as an API client (JSON). */
  callback(callbackUrl: string, accept?: string, headers?: Record<string, string>): Promise<Response>;
  /** Admin API call with the admin key (and a JSON body when given). */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the oauth-service for a test file; `env` overrides any variable. */
export async function startOAuthService(env: Record<string, string> = {}, sandboxOptions: { slackRotation?: boolean } = {}): Promise<OAuthServiceHarness> {
  const database = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = await startPlatformSandbox({ oauthServiceUrl: url, ...sandboxOptions });
  const config = testConfig('oauth-service', {
    DATABASE_URL: database.url,
    BASE_URL: url,
    OAUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...sandbox.env,
    ...env,
  });
  const app = await startTestApp(OAuthServiceModule.forRoot(config), config, port);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  // The server may still be closing a connection of the ending pool when the database is dropped (FORCE).
  pool.on('error', () => undefined);

  const cookies = new Map<string, string>();
  const approve = async (platform: string, fakeParams: Record<string, string> = {}) => {
    const install = await fetch(`${url}/oauth/install/${platform}`, { redirect: 'manual' });
    if (install.status !== 302) throw new Error(`install answered ${install.status}: ${await install.text()}`);
    const cookie = install.headers.get('set-cookie')?.split(';')[0];
    const providerUrl = new URL(install.headers.get('location') as string);
    for (const [key, value] of Object.entries(fakeParams)) providerUrl.searchParams.set(key, value);
    const approval = await fetch(providerUrl, { redirect: 'manual' });
    if (approval.status !== 302) throw new Error(`the fake ${platform} answered ${approval.status}: ${await approval.text()}`);
    const callbackUrl = approval.headers.get('location') as string;
    if (cookie) cookies.set(callbackUrl, cookie);
    return callbackUrl;
  };

  return {
    url,
    app: app.app,
    sandbox,
    database,
    sql: async (text, params) => (await pool.query(text, params)).rows,
    approve,
    callback: (callbackUrl, accept = 'application/json', headers = {}) => {
      const cookie = cookies.get(callbackUrl);
      return fetch(callbackUrl, { headers: { accept, ...(cookie ? { cookie } : {}), ...headers }, redirect: 'manual' });
    },
    admin: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: async () => {
      await app.close();
      await pool.end();
      await sandbox.stop();
      await database.drop();
    },
  };
}
