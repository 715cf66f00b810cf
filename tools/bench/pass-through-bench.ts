// `npm run bench:pass-through [-- --duration=10 --runs=0:50,20:50,20:16 --observability=both --soak=300 --profile --from-source --skip-build --app-node-args="…" --database-url=postgres://…]`
// Measures, on this machine: requests/s and latency straight to a stand-in upstream, through two bare reference
// proxies (`node:http` and an undici Pool; tools/bench/bare-proxy.ts) and through each pass-through app (github-api,
// slack-api, jira-api, sentry-api; each a real OS process with its installation token cached), and
// TokenService.getToken per second with the token cached versus read and decrypted from PostgreSQL each time.
// Prints a Markdown report.
//
// `--runs` lists scenarios as <upstream latency ms>:<connections>. Every app is compared with the best bare proxy
// of the same scenario (the issue-11 target at 0 ms) and with direct (at 20 ms); latency percentiles have µs
// resolution (see load-run.ts), CPU per request is the proxy process's user+system time over the run divided by
// the answers it gave. `--soak=<s>` drives every app at once at the 20 ms / 50 connections load for that long and
// reports each one's RSS slope. `--profile` starts the apps with `--cpu-prof` (profiles in the printed directory). The apps
// run from their production bundles, built first with `nx build` as the Dockerfiles do; `--from-source` skips the
// build and runs them through @swc-node/register instead (quicker to start, but the transpiler adds ~70 MiB RSS).
// The apps run as deployed: a JSON log line per request and metrics on (tracing off); `--observability=both` also
// measures a second process of each app with LOG_REQUESTS=false METRICS_ENABLED=false, for issue 12's ≤ 5 % target.
import { AppConfig, AppConfigModule } from '@bot/config';
import { createDataSource, DatabaseModule, runMigrations } from '@bot/database';
import { InstallationRepository } from '@bot/installations';
import { PlatformsModule } from '@bot/platforms';
import { AppProcess, buildInstallation, newEncryptionKey, startAppProcess, TEST_SERVICE_API_KEY, testConfig, tsEntryArgs, tsEntryEnv } from '@bot/testing';
import { TokenCache, TokenService, TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildBundles } from './bench-bundles';
import { createBenchDatabase } from './bench-database';
import { cpuMs, LoadResult, loadRun, ms, rssMiB, sampleRss } from './load-run';

interface Scenario {
  latencyMs: number;
  connections: number;
}

interface Args {
  duration: number;
  warmup: number;
  scenarios: Scenario[];
  soakSeconds: number;
  profile: boolean;
  tokens: boolean;
  /** Run the apps from their production bundles (built first) rather than from TypeScript source. */
  bundles: boolean;
  /** Run the bundles already in dist/ (several runs in a row on the same code). */
  skipBuild: boolean;
  /** Extra Node flags for the app processes (e.g. heap sizing experiments). */
  appNodeArgs: string[];
  /** Also measure each app with request logging and metrics off (issue 12's switch), beside the default (on). */
  observabilityOff: boolean;
  databaseUrl?: string;
}

function parseArgs(): Args {
  const args = Object.fromEntries(
    process.argv.slice(2).map((arg) => {
      const [name, ...value] = arg.replace(/^--/, '').split('=');
      return [name, value.length ? value.join('=') : 'true'];
    }),
  );
  return {
    duration: Number(args['duration'] ?? 10),
    warmup: Number(args['warmup'] ?? 2),
    scenarios: String(args['runs'] ?? '0:50,20:50,20:16')
      .split(',')
      .map((pair) => pair.split(':').map(Number))
      .map(([latencyMs, connections]) => ({ latencyMs, connections })),
    soakSeconds: Number(args['soak'] ?? 0),
    profile: args['profile'] === 'true',
    tokens: args['tokens'] !== 'false',
    bundles: args['from-source'] !== 'true',
    skipBuild: args['skip-build'] === 'true',
    appNodeArgs: args['app-node-args'] ? String(args['app-node-args']).split(' ') : [],
    observabilityOff: args['observability'] === 'both',
    databaseUrl: args['database-url'],
  };
}

@Module({})
class TokenBenchModule {
  static forRoot(config: AppConfig) {
    return { module: TokenBenchModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), PlatformsModule, TokensModule] };
  }
}

interface Helper {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a bench helper script (upstream or bare proxy) that prints `listening <port>`. */
async function startHelper(script: string, args: string[]): Promise<Helper> {
  const child = spawn(process.execPath, [...tsEntryArgs(script), ...args], { env: { ...tsEntryEnv(), PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The proxy process measured (none for direct). */
  pid?: number;
  kind: 'direct' | 'bare' | 'app';
}

interface Measured {
  target: Target;
  result: LoadResult;
  cpuPerRequestUs: number;
  rssMaxMiB: number;
}

async function measure(target: Target, scenario: Scenario, args: Args): Promise<Measured> {
  const options = { url: target.url, headers: target.headers, connections: scenario.connections };
  await loadRun({ ...options, duration: args.warmup });
  const cpuBefore = cpuMs(target.pid);
  const rss = sampleRss(target.pid);
  const result = await loadRun({ ...options, duration: args.duration });
  const rssMax = Math.max(...rss.stop());
  const cpuPerRequestUs = ((cpuMs(target.pid) - cpuBefore) * 1000) / Math.max(1, result.ok);
  return { target, result, cpuPerRequestUs, rssMaxMiB: rssMax };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(0)} %`;
}

const APPS = ['github-api', 'slack-api', 'jira-api', 'sentry-api'] as const;

async function main(): Promise<void> {
  const args = parseArgs();
  const bundles = args.bundles ? buildBundles(APPS, { skipBuild: args.skipBuild }) : undefined;
  const database = await createBenchDatabase(args.databaseUrl);
  const databaseUrl = database.url;
  const encryptionKey = newEncryptionKey();
  const config = testConfig('github-api', { DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: encryptionKey });
  const dataSource = await createDataSource(databaseUrl, config, 2).initialize();
  await runMigrations(dataSource);
  const installations = new InstallationRepository(dataSource);
  const inAnHour = new Date(Date.now() + 3600_000);
  const githubToken = 'ghs_bench0000000000000000000000000000000';
  const github = await installations.insert(buildInstallation({ platform: 'github', accessToken: githubToken, tokenExpiresAt: inAnHour }));
  const slack = await installations.insert(buildInstallation({ platform: 'slack', externalInstallId: null, accessToken: 'xoxb-1-bench', tokenExpiresAt: null }));
  const jira = await installations.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-bench', externalInstallId: null, accessToken: 'eyJbench', refreshToken: 'atl-rt-bench', tokenExpiresAt: inAnHour }));
  const sentry = await installations.insert(
    buildInstallation({ platform: 'sentry', externalOrgId: 'bench-org', externalOrgName: 'bench-org', accessToken: 'sntrys-bench', refreshToken: 'sntry-rt-bench', tokenExpiresAt: inAnHour, metadata: { org_slug: 'bench-org' } }),
  );
  const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'bot-bench-prof-')) : undefined;

  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  say(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL ${args.databaseUrl ? 'from --database-url' : 'embedded'}.`);
  say(`Apps: ${bundles ? 'production bundles (`nx build`, `node dist/apps/<app>/main.js`)' : 'from TypeScript source (@swc-node/register, ~70 MiB more RSS)'}; bare proxies and upstream from source.`);
  say(
    `Load: autocannon (closed loop, in the bench process), ${args.duration} s per run after a ${args.warmup} s warm-up, one ~300-byte JSON answer per request; ` +
      'latency percentiles from per-response hrtime (µs resolution), CPU per request = the proxy process\'s user+system time / answers.',
  );
  if (args.appNodeArgs.length) say(`App processes started with: ${args.appNodeArgs.join(' ')}`);
  if (profileDir) say(`CPU profiles (--cpu-prof) of the apps: ${profileDir}`);
  say();

  const appEnv = (upstream: string) => ({
    DATABASE_URL: databaseUrl,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    GITHUB_API_BASE_URL: upstream,
    SLACK_BASE_URL: upstream,
    ATLASSIAN_API_BASE_URL: upstream,
    SENTRY_BASE_URL: upstream,
    // As deployed: one JSON log line per request (to the pipe this process reads), metrics recorded; no tracing.
    LOG_LEVEL: 'log',
    LOG_REQUESTS: 'true',
    METRICS_ENABLED: 'true',
  });
  const observabilityOff = { LOG_REQUESTS: 'false', METRICS_ENABLED: 'false' };
  const nodeArgs = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...args.appNodeArgs];
  const checks: string[] = [];

  for (const latency of [...new Set(args.scenarios.map((scenario) => scenario.latencyMs))]) {
    const upstream = await startHelper('tools/bench/bench-upstream.ts', ['0', String(latency)]);
    const helpers: Helper[] = [upstream];
    const apps: AppProcess[] = [];
    try {
      const bareArgs = [upstream.url, TEST_SERVICE_API_KEY, `${github.id}=${githubToken}`];
      const bareHttp = await startHelper('tools/bench/bare-proxy.ts', ['http', '0', ...bareArgs]);
      helpers.push(bareHttp);
      const bareUndici = await startHelper('tools/bench/bare-proxy.ts', ['undici', '0', ...bareArgs]);
      helpers.push(bareUndici);
      const service = (scheme: string, installationId: string) => ({ authorization: `${scheme} ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId });
      const calls: Record<(typeof APPS)[number], { path: string; headers: Record<string, string> }> = {
        'github-api': { path: '/repos/octo/demo', headers: service('token', github.id) },
        'slack-api': { path: '/api/team.info', headers: service('Bearer', slack.id) },
        'jira-api': { path: '/rest/api/3/myself', headers: service('Bearer', jira.id) },
        'sentry-api': { path: '/api/0/organizations/bench-org/', headers: service('Bearer', sentry.id) },
      };
      const targets: Target[] = [
        { name: 'direct to upstream', url: `${upstream.url}/repos/octo/demo`, headers: {}, kind: 'direct' },
        { name: 'bare node:http proxy', url: `${bareHttp.url}/repos/octo/demo`, headers: service('token', github.id), pid: bareHttp.child.pid, kind: 'bare' },
        { name: 'bare undici Pool proxy', url: `${bareUndici.url}/repos/octo/demo`, headers: service('token', github.id), pid: bareUndici.child.pid, kind: 'bare' },
      ];
      for (const name of APPS) {
        const variants: [string, Record<string, string>][] = [[name, appEnv(upstream.url)]];
        if (args.observabilityOff) variants.push([`${name} (request log and metrics off)`, { ...appEnv(upstream.url), ...observabilityOff }]);
        for (const [label, env] of variants) {
          const app = await startAppProcess(name, env, { nodeArgs, bundle: bundles?.[name], boundedOutput: true });
          apps.push(app);
          targets.push({ name: label, url: `${app.url}${calls[name].path}`, headers: calls[name].headers, pid: app.child.pid, kind: 'app' });
        }
      }

      for (const scenario of args.scenarios.filter((candidate) => candidate.latencyMs === latency)) {
        say(`### Upstream answering after ${latency} ms, ${scenario.connections} connections`);
        say();
        say('| path | requests/s | share of best bare proxy | share of direct | p50 ms | p99 ms | added p50 ms | added p99 ms | CPU µs / request | RSS max MiB | errors / non-2xx |');
        say('|---|---|---|---|---|---|---|---|---|---|---|');
        const measured: Measured[] = [];
        for (const target of targets) measured.push(await measure(target, scenario, args));
        const direct = measured[0].result;
        const bestBare = Math.max(...measured.filter((entry) => entry.target.kind === 'bare').map((entry) => entry.result.rps));
        for (const { target, result, cpuPerRequestUs, rssMaxMiB } of measured) {
          const isDirect = target.kind === 'direct';
          say(
            `| ${target.name} | ${result.rps.toFixed(0)} | ${isDirect ? '' : percent(result.rps / bestBare)} | ${percent(result.rps / direct.rps)} | ${ms(result.p50)} | ${ms(result.p99)} | ` +
              `${isDirect ? '' : ms(result.p50 - direct.p50)} | ${isDirect ? '' : ms(result.p99 - direct.p99)} | ${isDirect ? '' : cpuPerRequestUs.toFixed(0)} | ` +
              `${isDirect ? '' : rssMaxMiB.toFixed(0)} | ${result.errors} / ${result.non2xx} |`,
          );
        }
        say();
        for (const { target, result, rssMaxMiB } of measured.filter((entry) => entry.target.kind === 'app')) {
          const verdicts: string[] = [];
          if (latency === 0) verdicts.push(`${percent(result.rps / bestBare)} of the best bare proxy (target ≥ 80 %): ${result.rps >= 0.8 * bestBare ? 'met' : 'NOT met'}`);
          else if (scenario.connections >= 50) verdicts.push(`${percent(result.rps / direct.rps)} of direct (target ≥ 90 %): ${result.rps >= 0.9 * direct.rps ? 'met' : 'NOT met'}`);
          if (latency > 0 && scenario.connections <= 16) {
            const addedP50 = result.p50 - direct.p50;
            const addedP99 = result.p99 - direct.p99;
            verdicts.push(`added p50 ${ms(addedP50)} ms (≤ 1), p99 ${ms(addedP99)} ms (≤ 5): ${addedP50 <= 1 && addedP99 <= 5 ? 'met' : 'NOT met'}`);
          }
          verdicts.push(`RSS ${rssMaxMiB.toFixed(0)} MiB (≤ 150): ${rssMaxMiB <= 150 ? 'met' : 'NOT met'}`);
          const off = measured.find((entry) => entry.target.name === `${target.name} (request log and metrics off)`);
          if (off) {
            const loss = 1 - result.rps / off.result.rps;
            verdicts.push(`request log and metrics cost ${percent(loss)} of requests/s vs off (issue 12: ≤ 5 %): ${loss <= 0.05 ? 'met' : 'NOT met'}`);
          }
          if (!target.name.endsWith('off)')) checks.push(`- ${latency} ms / ${scenario.connections} connections, ${target.name}: ${verdicts.join('; ')}`);
        }
      }

      if (args.soakSeconds > 0 && latency === 20) {
        // All apps at once, each with its own 50 connections: one soak of the whole set instead of one per app.
        say(`### Soak: ${args.soakSeconds} s, every app at the same time at the ${latency} ms / 50 connections load, RSS sampled every 5 s`);
        say();
        say('| app | requests/s | RSS after 1 min MiB | RSS at end MiB | RSS max MiB | RSS slope after the first minute, MiB/min |');
        say('|---|---|---|---|---|---|');
        const soaked = targets.filter((entry) => (APPS as readonly string[]).includes(entry.name));
        const started = Date.now();
        const points = soaked.map(() => [] as [number, number][]);
        const timer = setInterval(() => soaked.forEach((target, index) => points[index].push([(Date.now() - started) / 60_000, rssMiB(target.pid)])), 5000);
        const results = await Promise.all(soaked.map((target) => loadRun({ url: target.url, headers: target.headers, connections: 50, duration: args.soakSeconds })));
        clearInterval(timer);
        soaked.forEach((target, index) => {
          const settled = points[index].filter(([minute]) => minute >= 1);
          const slope = leastSquaresSlope(settled.length >= 2 ? settled : points[index]);
          say(
            `| ${target.name} | ${results[index].rps.toFixed(0)} | ${(settled[0] ?? points[index][0])?.[1].toFixed(0)} | ${points[index].at(-1)?.[1].toFixed(0)} | ` +
              `${Math.max(...points[index].map(([, rss]) => rss)).toFixed(0)} | ${slope.toFixed(2)} |`,
          );
        });
        say();
      }
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await Promise.all(helpers.map((helper) => helper.stop()));
    }
  }
  if (checks.length > 0) {
    say('### Targets (issue 11)');
    say();
    for (const check of checks) say(check);
    say();
  }

  if (args.tokens) {
    const tokenConfig = testConfig('github-api', { DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'error' });
    const context = await NestFactory.createApplicationContext(TokenBenchModule.forRoot(tokenConfig), { logger: ['error'] });
    await context.init();
    const tokens = context.get(TokenService);
    const cache = context.get(TokenCache);
    await tokens.getToken(github.id);
    say('### TokenService.getToken');
    say();
    say('| mode | concurrency | calls/s |');
    say('|---|---|---|');
    for (const concurrency of [1, 16]) {
      say(`| cached | ${concurrency} | ${(await opsPerSecond(3, concurrency, () => tokens.getToken(github.id))).toFixed(0)} |`);
      say(
        `| uncached (row read + AES-GCM decrypt) | ${concurrency} | ${(await opsPerSecond(3, concurrency, () => {
          cache.invalidate(github.id);
          return tokens.getToken(github.id);
        })).toFixed(0)} |`,
      );
    }
    await context.close();
  }
  await dataSource.destroy();
  await database.drop();
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function opsPerSecond(seconds: number, concurrency: number, operation: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await operation();
        done++;
      }
    }),
  );
  return done / seconds;
}

/** Slope of y over x by least squares (here MiB per minute). */
function leastSquaresSlope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return covariance / variance;
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
