import { execFileSync, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { EmbeddedPostgresError } from './embedded-postgres.error';

/** Numeric identity the PostgreSQL processes run as. */
export interface RunAs {
  uid: number;
  gid: number;
}

const USER = 'postgres';

/**
 * PostgreSQL refuses to run as root, so a root process runs its binaries as the unprivileged `postgres` system
 * user (created when missing). Everything that user must open has to be reachable along the whole path, which
 * `canReach` checks by asking the kernel as that user rather than by reading mode bits.
 */
export class PostgresSystemUser {
  private constructor(readonly runAs: RunAs) {}

  /** The user to run as when this process is root; undefined otherwise (PostgreSQL runs as the current user). */
  static forCurrentProcess(): PostgresSystemUser | undefined {
    if (userInfo().uid !== 0) return undefined;
    return new PostgresSystemUser(lookUp() ?? create());
  }

  /** True when the `postgres` user can use `path` with every access in `access` (`r`, `w`, `x`). */
  canReach(path: string, access: string): boolean {
    const tests = [...access].map((flag) => `test -${flag} "$1"`).join(' && ');
    const result = spawnSync('/bin/sh', ['-c', tests, 'sh', path], { ...this.runAs, stdio: 'ignore' });
    return result.status === 0;
  }
}

function lookUp(): RunAs | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function create(): RunAs {
  const attempts: string[][] = [
    ['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER],
    ['adduser', '-S', '-D', '-H', '-s', '/sbin/nologin', USER],
  ];
  for (const [command, ...args] of attempts) {
    try {
      execFileSync(command, args, { stdio: 'ignore' });
    } catch {
      continue;
    }
    const created = lookUp();
    if (created) return created;
  }
  throw new EmbeddedPostgresError(
    `embedded PostgreSQL refuses to run as root and no "${USER}" user exists (creating one with useradd/adduser failed); ` +
      `create it (useradd --system ${USER}), run as a normal user, or set DATABASE_URL`,
  );
}
