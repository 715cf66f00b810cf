import { AppConfig, AppName } from '@bot/config';
import { Installation, InstallationRepository } from '@bot/installations';
import { DynamicModule, INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { buildInstallation, createTestDatabase, LogCapture, startTestApp, TestDatabase, testConfig, TEST_SERVICE_API_KEY } from '@bot/testing';
import { PlatformSandbox, startPlatformSandbox } from '../sandbox';

/** A running github-api, slack-api or jira-api on its own database, with the fakes as its platforms. */
export interface PassThroughHarness {
  url: string;
  app: INestApplication;
  config: AppConfig;
  sandbox: PlatformSandbox;
  database: TestDatabase;
  /** Stores an installation through the entity (so its secrets are encrypted as in production). */
  seed(values: Partial<Installation>): Promise<Installation>;
  /** Plain SQL against the app's database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A request to the app with the service key and, when given, the installation header. */
  call(path: string, init?: RequestInit & { installationId?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a pass-through app for a test file; `env` overrides any variable. */
export async function startPassThroughApp(
  appName: AppName,
  moduleFor: (config: AppConfig) => DynamicModule,
  options: { env?: Record<string, string>; slackRotation?: boolean; logDestination?: LogCapture } = {},
): Promise<PassThroughHarness> {
  const database = await createTestDatabase();
  const sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9', slackRotation: options.slackRotation });
  const config = testConfig(appName, { DATABASE_URL: database.url, UPSTREAM_TIMEOUT_MS: '2000', ...sandbox.env, ...options.env });
  const running = await startTestApp(moduleFor(config), config, 0, { bodies: 'raw', logDestination: options.logDestination });
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const installations = running.app.get(InstallationRepository);
  return {
    url: running.url,
    app: running.app,
    config,
    sandbox,
    database,
    seed: (values) => installations.insert(buildInstallation(values)),
    sql: async (text, params) => (await pool.query(text, params)).rows,
    call: (path, init = {}) => {
      const { installationId, headers, ...rest } = init;
      return fetch(`${running.url}${path}`, {
        ...rest,
        headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, ...(installationId ? { 'x-installation-id': installationId } : {}), ...(headers as Record<string, string>) },
      });
    },
    close: async () => {
      await running.close();
      await pool.end();
      await sandbox.stop();
      await database.drop();
    },
  };
}
