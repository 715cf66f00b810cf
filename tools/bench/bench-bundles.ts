import type { AppName } from '@bot/config';
import { WORKSPACE_ROOT } from '@bot/testing';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the apps' production bundles (`nx build`, what the Dockerfiles run) and returns each bundle's path, so a
 * benchmark measures the apps as deployed rather than through the TypeScript loader (~70 MiB more RSS).
 */
export function buildBundles(apps: readonly AppName[], options: { skipBuild?: boolean } = {}): Record<string, string> {
  const bundles = Object.fromEntries(apps.map((app) => [app, join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.js')]));
  // `--skip-build`: the bundles of the previous run (several runs in a row on the same code).
  if (options.skipBuild && Object.values(bundles).every((bundle) => existsSync(bundle))) return bundles;
  process.stderr.write(`building ${apps.join(', ')} (nx build)…\n`);
  execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'run-many', '-t', 'build', '-p', ...apps, '--skip-nx-cache'], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return bundles;
}
