import { existsSync, lstatSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresError } from './embedded-postgres.error';
import { identifyPortOwner, PortOwner } from './port-owner';
import { PostgresBinaries, packagedPostgresBinaries, reachablePostgresBinaries } from './postgres-binaries';
import {
  ClusterPlacement,
  EMBEDDED_PASSWORD,
  EMBEDDED_USER,
  SERVER_LOG_FILE,
  existingCluster,
  initialiseCluster,
  postmasterPid,
  serverLogTail,
  startPostmaster,
  stopPostmaster,
} from './postgres-cluster';
import { PostgresSystemUser } from './postgres-system-user';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Database created on first start and named in the returned URL. */
  database: string;
  /** Durability trade-off for throwaway clusters (tests): fsync off. */
  ephemeral?: boolean;
  log?: (line: string) => void;
  /**
   * Default true: the server runs in a process group of its own, so a Ctrl-C in the terminal reaches only the
   * processes that then stop it in order. Test setups pass false so that an interrupted run takes it down too.
   */
  detached?: boolean;
  /** Also stop this cluster's server when it was already running (left behind by a killed run); `npm start` does. */
  adopt?: boolean;
  /** Binaries to run instead of the installed package's (tests). */
  binaries?: PostgresBinaries;
  /** As root: where binaries and clusters go when the workspace is private (default /var/lib/bot-embedded-postgres). */
  runtimeRoot?: string;
  /**
   * Also listen on a Unix-domain socket in the cluster's data directory, and answer with a URL that uses it when
   * the server has one: cheaper per byte than loopback TCP, which counts for bulk writes such as webhook payloads.
   * TCP on 127.0.0.1 stays on for everything else.
   */
  socket?: boolean;
}

export interface RunningPostgres {
  url: string;
  /** True when this process started the server and so owns stopping it. */
  owned: boolean;
  /** The cluster's real data directory (a relocated cluster's, not the link to it); unset for DATABASE_URL. */
  dataDirectory?: string;
  stop(): Promise<void>;
  /** Stops the server and deletes the cluster (throwaway clusters of tests and benchmarks). */
  destroy(): Promise<void>;
}

/** Where a root process keeps PostgreSQL binaries and clusters the `postgres` user could not reach in the workspace. */
export const DEFAULT_EMBEDDED_RUNTIME_ROOT = '/var/lib/bot-embedded-postgres';

const START_TIMEOUT_MS = 60_000;

/**
 * Real PostgreSQL binaries from the `embedded-postgres` package. Attaches to the server on the port only when it
 * runs this cluster (same data directory); otherwise initialises the cluster if needed and starts a server
 * owned by this process. Anything else on the port is an EmbeddedPostgresError naming the port.
 */
export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => undefined);
  const user = PostgresSystemUser.forCurrentProcess();
  const packaged = options.binaries ?? packagedPostgresBinaries();
  const runtimeRoot = options.runtimeRoot ?? DEFAULT_EMBEDDED_RUNTIME_ROOT;
  const placement: ClusterPlacement = {
    binaries: user ? reachablePostgresBinaries(packaged, user, runtimeRoot) : packaged,
    user,
    runtimeRoot,
  };
  const tcpUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${options.port}/${options.database}`;
  const url = (real: string) => (options.socket ? socketUrl(real, options.port, options.database) : undefined) ?? tcpUrl;

  let real = existingCluster(options.dataDir, placement);
  const owner = await settledOwner(options.port, real);
  if (owner.kind === 'foreign') throw portTaken(options, owner.what);
  if (owner.kind === 'ours' && real) {
    await createDatabaseIfMissing(options.port, options.database);
    return attached(url(real), options, real);
  }

  real ??= await initialiseCluster(options.dataDir, placement, log);
  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${options.socket && socketPathFits(real, options.port) ? real : ''}`,
    '-c', 'max_connections=300',
    ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const started = startPostmaster(real, options.port, flags, placement, options.detached ?? true);
  let exited = false;
  void started.exited.then(() => (exited = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const now = await identifyPortOwner(options.port, real);
    if (now.kind === 'ours' && !exited) break;
    if (exited) {
      // Lost a start race for this cluster to another process (it holds postmaster.pid), or the port was taken.
      const afterRace = await settledOwner(options.port, real, 10_000);
      if (afterRace.kind === 'ours') {
        await createDatabaseIfMissing(options.port, options.database);
        return attached(url(real), options, real);
      }
      if (afterRace.kind === 'foreign') throw portTaken(options, afterRace.what);
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL did not start on port ${options.port}: ${serverLogTail(real)} (full log: ${join(real, SERVER_LOG_FILE)})`,
      );
    }
    if (Date.now() > deadline) {
      started.child.kill('SIGQUIT');
      throw new EmbeddedPostgresError(`embedded PostgreSQL did not answer within ${START_TIMEOUT_MS / 1000} s (log: ${join(real, SERVER_LOG_FILE)})`);
    }
    await pause(100);
  }

  const pid = started.child.pid as number;
  let stopped = false;
  // A process that exits without stopping its server (an unexpected exit path) still takes it down.
  const stopOnExit = () => {
    if (!stopped) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', stopOnExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopOnExit);
    await stopPostmaster(pid, started.exited);
  };
  await createDatabaseIfMissing(options.port, options.database);
  return { url: url(real), owned: true, dataDirectory: real, stop, destroy: destroyWith(stop, options.dataDir, real) };
}

function attached(url: string, options: EmbeddedPostgresOptions, real: string): RunningPostgres {
  let stopped = false;
  const stop = async () => {
    if (stopped || !options.adopt) return;
    stopped = true;
    const pid = postmasterPid(real);
    if (pid) await stopPostmaster(pid);
  };
  return { url, owned: false, dataDirectory: real, stop, destroy: destroyWith(stop, options.dataDir, real) };
}

/** Unix-domain socket paths are limited to 107 bytes. */
function socketPathFits(dataDir: string, port: number): boolean {
  return Buffer.byteLength(join(dataDir, `.s.PGSQL.${port}`)) <= 107;
}

/** A URL through the server's socket in `dataDir`, or undefined when the running server has none (started without it). */
function socketUrl(dataDir: string, port: number, database: string): string | undefined {
  if (!existsSync(join(dataDir, `.s.PGSQL.${port}`))) return undefined;
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@localhost:${port}/${database}?host=${encodeURIComponent(dataDir)}`;
}

function destroyWith(stop: () => Promise<void>, configured: string, real: string): () => Promise<void> {
  return async () => {
    await stop();
    rmSync(real, { recursive: true, force: true });
    rmSync(`${real}.workspace`, { force: true });
    try {
      if (lstatSync(configured).isSymbolicLink()) unlinkSync(configured);
    } catch {
      // already gone
    }
  };
}

/** The port's owner once it is not a server in the middle of starting or stopping (waits up to `timeoutMs`). */
async function settledOwner(port: number, real: string | undefined, timeoutMs = 30_000): Promise<PortOwner> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const owner = await identifyPortOwner(port, real);
    if (owner.kind !== 'starting' || Date.now() > deadline) return owner.kind === 'starting' ? { kind: 'foreign', what: 'a server that stays in start-up' } : owner;
    await pause(200);
  }
}

function portTaken(options: EmbeddedPostgresOptions, what: string): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `embedded PostgreSQL: port ${options.port} is taken by ${what}, not by this checkout's cluster (${options.dataDir}); ` +
      `stop that server or choose a free port with EMBEDDED_POSTGRES_PORT (e.g. EMBEDDED_POSTGRES_PORT=${options.port + 1}), or set DATABASE_URL`,
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database: 'postgres' });
  client.on('error', () => undefined);
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

/** The app's database: DATABASE_URL when configured, else this checkout's embedded server (attached or started). */
export function resolveDatabase(
  config: { databaseUrl?: string; embeddedPostgres: { dataDir: string; port: number } },
  log?: (line: string) => void,
  options: Pick<EmbeddedPostgresOptions, 'adopt'> = {},
): Promise<RunningPostgres> {
  if (config.databaseUrl) {
    const nothing = async () => undefined;
    return Promise.resolve({ url: config.databaseUrl, owned: false, stop: nothing, destroy: nothing });
  }
  return ensureEmbeddedPostgres({ ...config.embeddedPostgres, database: EMBEDDED_DATABASE_NAME, log, socket: true, ...options });
}
