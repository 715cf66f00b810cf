// `npm start`: the whole product on one machine. Resolves the database (embedded by default, in a process group
// of its own), migrates once, starts the apps as supervised child processes (a crashed app is restarted,
// a crash loop stops everything), prints one line per app when it is ready, and on Ctrl-C or SIGTERM stops the
// apps (each flushes what it holds) and then the database.
import { APP_NAMES, AppName, ConfigError, loadAppConfig } from '@bot/config';
import { createDataSource, EmbeddedPostgresError, resolveDatabase, runMigrations, RunningPostgres } from '@bot/database';
import { AttachedSandbox } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { join } from 'node:path';
import { AppSupervisor } from './app-supervisor';

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

  let database: RunningPostgres;
  try {
    // Adopted: a server of this checkout left running by a killed run is stopped at the end like one started here.
    database = await resolveDatabase(base, say, { adopt: true });
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) {
      process.stderr.write(`[start] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  say(
    base.databaseUrl
      ? `database: DATABASE_URL (${new URL(database.url).host})`
      : `database: embedded PostgreSQL on 127.0.0.1:${base.embeddedPostgres.port}, data in ${database.dataDirectory}`,
  );
  const dataSource = await createDataSource(database.url, base, 1).initialize();
  const applied = await runMigrations(dataSource);
  await dataSource.destroy();
  say(applied.length ? `migrations applied: ${applied.map((m) => m.name).join(', ')}` : 'migrations: up to date');

  const sandbox = await startSandboxIfNeeded(base);

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return say('still stopping: the apps are flushing what they hold');
    stopping = true;
    say('stopping apps (each flushes its pending audit events, usage records and webhook batches)…');
    await supervisor.stop();
    await sandbox?.release();
    await database.stop();
    say(database.dataDirectory ? 'stopped (embedded PostgreSQL stopped; data kept)' : 'stopped');
    process.exit(code);
  };
  const supervisor = new AppSupervisor(
    APP_NAMES.map((app) => ({
      name: app,
      port: configs[app].port,
      args: ['--require', '@swc-node/register', join('apps', app, 'src', 'main.ts')],
      env: {
        ...process.env,
        ...sandbox?.env,
        DATABASE_URL: database.url,
        PORT: String(configs[app].port),
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
      },
    })),
    {
      cwd: root,
      say,
      onCrashLoop: (app, lastLines) => {
        say(`stopping everything: ${app} keeps crashing. Its last output:`);
        for (const line of lastLines) process.stdout.write(`[start]   ${line}\n`);
        void stopAll(1);
      },
    },
  );
  // Ctrl-C reaches the whole foreground process group (the apps too, which then flush and exit); the embedded
  // PostgreSQL runs in a group of its own and is stopped here, after the apps.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));
  supervisor.start();

  try {
    await Promise.all(APP_NAMES.map((app) => waitUntilReady(configs[app].port, () => stopping)));
  } catch (error) {
    say((error as Error).message);
    return stopAll(1);
  }
  if (stopping) return;
  for (const app of APP_NAMES) say(`${app.padEnd(14)} http://localhost:${configs[app].port}`);
  if (sandbox) say(`sandbox: install on ${base.baseUrl}/ with no account anywhere (fakes of ${sandbox.platforms.join(', ')})`);
  say(`all apps ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s — a crashed app is restarted; Ctrl-C stops everything`);
}

/** The checkout's shared sandbox for every platform without credentials (reused when an `nx serve` app runs it). */
async function startSandboxIfNeeded(config: ReturnType<typeof loadAppConfig>): Promise<AttachedSandbox | undefined> {
  const sandbox = await CHECKOUT_SANDBOX.attach(config, say);
  if (sandbox) say(`sandbox: what the fakes issue (tokens, installs, sites, issues, messages) is kept in ${config.sandboxDir} across restarts`);
  return sandbox;
}

function say(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

async function waitUntilReady(port: number, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !cancelled()) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (cancelled()) return;
  throw new Error(`app on port ${port} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

void main().catch((error: Error) => {
  process.stderr.write(`[start] failed: ${error.message}\n`);
  process.exit(1);
});
