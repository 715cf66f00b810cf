// `npm start`: the whole product on one machine. Resolves the database (embedded by default), migrates once,
// starts the five apps as child processes, prints one line per app when it is ready, and on Ctrl-C stops the
// apps and then the database.
import { APP_NAMES, AppName, ConfigError, loadAppConfig } from '@bot/config';
import { createDataSource, resolveDatabase, runMigrations } from '@bot/database';
import { PLATFORM_MODULES, PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 90_000;
const root = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const startedAt = Date.now();
  let configs: Record<AppName, ReturnType<typeof loadAppConfig>>;
  try {
    configs = Object.fromEntries(APP_NAMES.map((app) => [app, loadAppConfig(app, { cwd: root })])) as typeof configs;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const base = configs['oauth-service'];
  if (base.generatedDevSecrets.length > 0) {
    say(`development secrets for ${base.generatedDevSecrets.join(', ')} are kept in .data/dev-secrets.json`);
  }

  const database = await resolveDatabase(base, say);
  say(
    base.databaseUrl
      ? `database: DATABASE_URL (${new URL(database.url).host})`
      : `database: embedded PostgreSQL on 127.0.0.1:${base.embeddedPostgres.port}, data in ${base.embeddedPostgres.dataDir}`,
  );
  const dataSource = await createDataSource(database.url, base, 1).initialize();
  const applied = await runMigrations(dataSource);
  await dataSource.destroy();
  say(applied.length ? `migrations applied: ${applied.map((m) => m.name).join(', ')}` : 'migrations: up to date');

  const sandbox = await startSandboxIfNeeded(base);

  const children = new Map<AppName, ChildProcess>();
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping apps…');
    await Promise.all([...children.values()].map(stopChild));
    await sandbox?.fakes.stop();
    await database.stop();
    say(database.owned ? 'stopped (embedded PostgreSQL stopped; data kept)' : 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));

  for (const app of APP_NAMES) {
    const child = spawn(process.execPath, ['--require', '@swc-node/register', join('apps', app, 'src', 'main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...sandbox?.env,
        DATABASE_URL: database.url,
        PORT: String(configs[app].port),
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixOutput(app, child);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        say(`${app} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
        void stopAll(1);
      }
    });
    children.set(app, child);
  }

  try {
    await Promise.all(APP_NAMES.map((app) => waitUntilReady(configs[app].port)));
  } catch (error) {
    say((error as Error).message);
    return stopAll(1);
  }
  for (const app of APP_NAMES) say(`${app.padEnd(14)} http://localhost:${configs[app].port}`);
  if (sandbox) say(`sandbox: install on ${base.baseUrl}/ with no account anywhere (fakes of ${sandbox.platforms.join(', ')})`);
  say(`all apps ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s — Ctrl-C stops everything`);
}

/** Fakes for every registered platform that has no credentials, and the variables that point the apps at them. */
async function startSandboxIfNeeded(
  config: ReturnType<typeof loadAppConfig>,
): Promise<{ fakes: PlatformSandbox; env: Record<string, string>; platforms: string[] } | undefined> {
  const missing = PLATFORM_MODULES.filter((entry) => !entry.configured(config)).map((entry) => entry.platform);
  if (config.sandbox === 'off' || missing.length === 0) return undefined;
  const fakes = await startPlatformSandbox({ oauthServiceUrl: config.baseUrl });
  // Only the variables of platforms without credentials: a configured platform keeps its real ones.
  const env = Object.assign({}, ...missing.map((platform) => fakes.envOf(platform)));
  for (const platform of missing) say(`sandbox: no ${platform} credentials configured, using the in-repo fake at ${fakes.fakeOf(platform).url}`);
  return { fakes, env, platforms: missing };
}

function say(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

function prefixOutput(app: AppName, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`[${app}] ${line}\n`);
    });
  }
}

async function waitUntilReady(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`app on port ${port} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

void main().catch((error: Error) => {
  process.stderr.write(`[start] failed: ${error.message}\n`);
  process.exit(1);
});
