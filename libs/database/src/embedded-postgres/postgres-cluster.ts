import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres.error';
import { PostgresBinaries, ensureRootOwnedDirectory } from './postgres-binaries';
import { PostgresSystemUser } from './postgres-system-user';

/** Login of the embedded clusters (loopback only; the password keeps other local users out by accident). */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';

/** Where a cluster's server writes its log, inside the data directory (truncated at every start). */
export const SERVER_LOG_FILE = 'embedded-postgres.log';

export interface ClusterPlacement {
  binaries: PostgresBinaries;
  /** Set when this process is root: PostgreSQL then runs as this user. */
  user?: PostgresSystemUser;
  /** As root: where clusters go when the configured directory is inside a folder the `postgres` user cannot enter. */
  runtimeRoot: string;
}

/**
 * The real data directory of an initialised cluster at `dataDir` (following the link of a relocated one), or
 * undefined when there is none yet. Throws when the path holds something else.
 */
export function existingCluster(dataDir: string, placement: ClusterPlacement): string | undefined {
  let stat;
  try {
    stat = lstatSync(dataDir);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(dataDir);
    } catch {
      // The relocated cluster it pointed at is gone (e.g. its folder was cleaned); start a new one.
      unlinkSync(dataDir);
      return undefined;
    }
    return clusterAt(target, dataDir, placement);
  }
  if (!stat.isDirectory()) {
    throw new EmbeddedPostgresError(`embedded PostgreSQL: ${dataDir} is not a directory; point EMBEDDED_POSTGRES_DIR at a new directory`);
  }
  return clusterAt(realpathSync(dataDir), dataDir, placement);
}

function clusterAt(real: string, configured: string, placement: ClusterPlacement): string | undefined {
  const entries = readdirSync(real);
  if (entries.length === 0) return undefined;
  if (!entries.includes('PG_VERSION')) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: ${configured} is not empty and holds no PostgreSQL cluster; point EMBEDDED_POSTGRES_DIR at an empty or new directory`,
    );
  }
  if (placement.user && !placement.user.canReach(real, 'rwx')) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: the postgres user (PostgreSQL never runs as root) cannot reach ${real}, which is inside a folder only root can enter; ` +
        `move that cluster out, point EMBEDDED_POSTGRES_DIR at a new directory, or set DATABASE_URL`,
    );
  }
  return real;
}

/**
 * Runs initdb for a new cluster at `dataDir` and returns its real data directory. As root, when the `postgres`
 * user cannot reach `dataDir`'s folder (a private 0700 checkout), the cluster is created under
 * `runtimeRoot/clusters/<id>` (mode 0700, owned by that user) and `dataDir` becomes a link to it. The cluster is
 * built under a temporary name and moved into place in one step, so a process racing to do the same finds
 * either nothing or a complete cluster.
 */
export async function initialiseCluster(dataDir: string, placement: ClusterPlacement, log: (line: string) => void): Promise<string> {
  const parent = dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  const { user } = placement;
  const relocate = user !== undefined && !user.canReach(parent, 'x');
  let staging: string;
  if (relocate) {
    ensureRootOwnedDirectory(placement.runtimeRoot, 0o755);
    // Others may pass through (to reach their own cluster by its exact name) but not list the clusters.
    const clusters = join(placement.runtimeRoot, 'clusters');
    ensureRootOwnedDirectory(clusters, 0o711);
    staging = join(clusters, randomBytes(8).toString('hex'));
    log(`initialising embedded PostgreSQL in ${staging} (${dataDir} links to it: the postgres user cannot enter this folder)`);
    const orphans = orphanedClusters(clusters);
    if (orphans.length > 0) {
      // Never removed here: a checkout that looks gone may be on a volume that is not mounted right now.
      const shown = orphans.slice(0, 3).map((orphan) => orphan.workspace).join(', ');
      log(
        `${orphans.length} embedded PostgreSQL cluster(s) in ${clusters} belong to checkouts that are gone (${shown}${orphans.length > 3 ? ', …' : ''}); ` +
          `to free the space: rm -rf ${orphans.map((orphan) => `${orphan.cluster} ${orphan.cluster}.workspace`).join(' ')}`,
      );
    }
  } else {
    staging = `${dataDir}.initdb-${randomBytes(4).toString('hex')}`;
    log(`initialising embedded PostgreSQL in ${dataDir}`);
  }
  mkdirSync(staging, { mode: 0o700 });
  const passwordFile = `${staging}.pw`;
  writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
  if (user) {
    chownSync(staging, user.runAs.uid, user.runAs.gid);
    chownSync(passwordFile, user.runAs.uid, user.runAs.gid);
  }
  const locale = bestLocale();
  try {
    await runToCompletion(join(placement.binaries.root, 'bin', 'initdb'), [
      `--pgdata=${staging}`,
      '--auth=scram-sha-256',
      `--username=${EMBEDDED_USER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      `--locale=${locale}`,
      `--lc-messages=${locale}`,
    ], user);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(passwordFile, { force: true });
  }

  try {
    if (relocate) {
      writeFileSync(`${staging}.workspace`, `${dataDir}\n`, { mode: 0o644 });
      removeIfEmptyDirectory(dataDir);
      symlinkSync(staging, dataDir);
    } else {
      renameSync(staging, dataDir);
    }
  } catch {
    // Another process initialised the same cluster first; use theirs.
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.workspace`, { force: true });
  }
  const real = existingCluster(dataDir, placement);
  if (!real) throw new EmbeddedPostgresError(`embedded PostgreSQL: initialising ${dataDir} left no cluster behind`);
  return real;
}

/** A postmaster this process started. */
export interface StartedServer {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

/**
 * Starts `postgres` on the cluster with its output in the data directory's log. Detached servers run in a
 * process group of their own, so a Ctrl-C in the terminal (sent to the whole foreground group) never reaches
 * them: whoever started them decides when they stop.
 */
export function startPostmaster(realDataDir: string, port: number, flags: string[], placement: ClusterPlacement, detached: boolean): StartedServer {
  const logFd = openSync(join(realDataDir, SERVER_LOG_FILE), 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(join(placement.binaries.root, 'bin', 'postgres'), ['-D', realDataDir, '-p', String(port), ...flags], {
      detached,
      stdio: ['ignore', logFd, logFd],
      ...placement.user?.runAs,
    });
  } finally {
    closeSync(logFd);
  }
  // A failed spawn (e.g. EACCES) is reported through the exit below and the log, never as an unhandled 'error'.
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  if (detached) child.unref();
  return { child, exited };
}

/** The last lines of the server's log, for an error message. */
export function serverLogTail(realDataDir: string, lines = 3): string {
  try {
    return readFileSync(join(realDataDir, SERVER_LOG_FILE), 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no server log)';
  }
}

/** Pid of the postmaster running on the cluster, from its lock file. */
export function postmasterPid(realDataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(realDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Fast shutdown (SIGINT: open sessions are ended, nothing committed is lost), then waits until the process is gone. */
export async function stopPostmaster(pid: number, exited?: Promise<void>, timeoutMs = 30_000): Promise<void> {
  if (!signal(pid, 'SIGINT')) return;
  const gone = exited ?? waitUntilGone(pid);
  // A referenced timer: it also keeps the event loop alive until the exit of an unref'd server is seen.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([gone.then(() => 'gone' as const), timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signal(pid, 'SIGQUIT');
    await gone;
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<void> {
  while (signal(pid, 0 as unknown as NodeJS.Signals)) await new Promise((resolve) => setTimeout(resolve, 100));
}

function removeIfEmptyDirectory(path: string): void {
  try {
    if (lstatSync(path).isDirectory()) rmdirSync(path);
  } catch {
    // absent (the usual case) or not empty (then the link below fails and says so)
  }
}

function runToCompletion(command: string, args: string[], user: PostgresSystemUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...user?.runAs });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) =>
      reject(new EmbeddedPostgresError(`embedded PostgreSQL: cannot run ${command} (${error.message}); reinstall with npm ci or set DATABASE_URL`)),
    );
    child.once('close', (code) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').filter(Boolean).slice(-2).join(' | ');
      reject(new EmbeddedPostgresError(`embedded PostgreSQL: initdb failed (exit ${code}): ${last}`));
    });
  });
}

let cachedLocale: string | undefined;

/** A UTF-8 locale the machine has (initdb fails on one it lacks), else C. */
function bestLocale(): string {
  if (cachedLocale) return cachedLocale;
  let available = new Set<string>();
  try {
    available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').map((l) => l.trim()));
  } catch {
    // no `locale` tool: C always exists
  }
  cachedLocale = ['en_US.UTF-8', 'en_US.utf8', 'C.UTF-8', 'C.utf8'].find((name) => available.has(name)) ?? 'C';
  return cachedLocale;
}

/** A relocated cluster whose checkout no longer links to it, and the checkout path it was made for. */
export interface OrphanedCluster {
  cluster: string;
  workspace: string;
}

/**
 * Relocated clusters under `clusters` whose checkout's data directory no longer links to them (the checkout was
 * deleted or re-initialised), so nothing will start them again.
 */
export function orphanedClusters(clusters: string): OrphanedCluster[] {
  let entries: string[];
  try {
    entries = readdirSync(clusters);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.endsWith('.workspace'))
    .flatMap((marker): OrphanedCluster[] => {
      const cluster = join(clusters, marker.slice(0, -'.workspace'.length));
      let workspace: string;
      try {
        workspace = readFileSync(join(clusters, marker), 'utf8').trim();
      } catch {
        return [];
      }
      let linked: string | undefined;
      try {
        linked = realpathSync(workspace);
      } catch {
        linked = undefined;
      }
      if (!existsSync(cluster) || linked === realpathSync(cluster)) return [];
      return [{ cluster, workspace }];
    });
}
