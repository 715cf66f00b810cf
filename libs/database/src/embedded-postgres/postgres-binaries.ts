import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError } from './embedded-postgres.error';
import { PostgresSystemUser } from './postgres-system-user';

/** A PostgreSQL installation: `bin/initdb`, `bin/postgres`, and the `lib/` and `share/` they load. */
export interface PostgresBinaries {
  /** Directory holding `bin/`, `lib/`, `share/`. */
  root: string;
  version: string;
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };

/** The binaries the `embedded-postgres` package installed for this platform (`@embedded-postgres/<os>-<arch>`). */
export function packagedPostgresBinaries(): PostgresBinaries {
  const packageName = `@embedded-postgres/${PLATFORM_NAMES[process.platform] ?? process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolved at run time from this file's location (bundlers must not try to resolve a computed name).
    entry = createRequire(__filename).resolve(packageName);
  } catch {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: ${packageName} is not installed (run npm ci; its install script must be allowed), or set DATABASE_URL`,
    );
  }
  const packageRoot = join(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return { root: join(packageRoot, 'native'), version };
}

/**
 * The binaries as the `postgres` user can run them: where they are when that user reaches them, otherwise a copy
 * under `runtimeRoot` (root-owned, read-only for others, one per version), made once and then reused.
 */
export function reachablePostgresBinaries(binaries: PostgresBinaries, user: PostgresSystemUser, runtimeRoot: string): PostgresBinaries {
  if (user.canReach(join(binaries.root, 'bin', 'postgres'), 'x')) return binaries;
  ensureRootOwnedDirectory(runtimeRoot, 0o755);
  const target = join(runtimeRoot, `postgresql-${binaries.version}-${process.platform}-${process.arch}`);
  const complete = join(target, '.complete');
  if (!existsSync(complete)) {
    const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
    cpSync(binaries.root, staging, { recursive: true, verbatimSymlinks: true });
    openUpForReading(staging);
    writeFileSync(join(staging, '.complete'), `${binaries.root}\n`);
    try {
      renameSync(staging, target);
    } catch {
      // Another process finished the same copy first; theirs is identical.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const copy = { root: target, version: binaries.version };
  if (!user.canReach(join(copy.root, 'bin', 'postgres'), 'x')) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: the postgres user cannot run ${join(copy.root, 'bin', 'postgres')} (check the permissions of ${runtimeRoot} and its parents), or set DATABASE_URL`,
    );
  }
  return copy;
}

/**
 * Creates `path` (and its parents) owned by root, and refuses a directory someone else could have planted or
 * could write to, since the PostgreSQL binaries and clusters under it are trusted.
 */
export function ensureRootOwnedDirectory(path: string, mode: number): void {
  try {
    mkdirSync(path, { recursive: true, mode });
  } catch (error) {
    throw new EmbeddedPostgresError(`embedded PostgreSQL: cannot create ${path} (${(error as Error).message}); run as a normal user or set DATABASE_URL`);
  }
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: refusing to use ${path}: it must be a directory owned by root that only root can write to; remove it or set DATABASE_URL`,
    );
  }
  chmodSync(path, mode);
}

function openUpForReading(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path)) openUpForReading(join(path, entry));
  } else {
    chmodSync(path, (stat.mode & 0o777) | 0o444);
  }
}
