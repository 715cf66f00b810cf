// `npm run bench:webhooks [-- --duration=10 --connections=10,20,50 --database-url=postgres://… --ephemeral --profile --from-source --skip-build --observability=off --app-node-args="…"]`
// Signed GitHub deliveries per second through api-gateway (a real OS process): raw body read, X-Hub-Signature-256
// check, JSON parse, routing and the durable INSERT committed before the 200. Every delivery has its own
// X-GitHub-Delivery and body (so its own signature). Without --database-url an embedded PostgreSQL is started
// with its default durability (fsync and synchronous_commit on); --ephemeral turns them off for comparison.
// Each run is closed-loop (every connection sends its next delivery when the previous one is answered): autocannon's
// --overallRate sends each second's quota in a burst at the start of the second and corrects latencies against a
// 1 ms interval, which measures neither a steady rate nor real latencies. Latency percentiles have µs resolution
// (load-run.ts). The gateway runs from its production bundle (built first) unless `--from-source`; `--profile`
// starts it with `--cpu-prof`. Prints a Markdown report on stdout.
import { createDataSource, runMigrations } from '@bot/database';
import { createBenchDatabase } from './bench-database';
import { InstallationRepository } from '@bot/installations';
import { buildInstallation, newEncryptionKey, startAppProcess, testConfig } from '@bot/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundles } from './bench-bundles';
import { cpuMs, descendantsCpuMs, loadRun, ms, sampleRss } from './load-run';
import { signHubSignature } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];

const SECRET = 'bench-github-webhook-secret';
const INSTALL_ID = 4242001;

interface Args {
  duration: number;
  connections: number[];
  databaseUrl?: string;
  ephemeral: boolean;
  profile: boolean;
  bundles: boolean;
  /** Run the bundles already in dist/ (several runs in a row on the same code). */
  skipBuild: boolean;
  /** Extra Node flags for the gateway process (e.g. heap sizing experiments). */
  appNodeArgs: string[];
  /** Request log and metrics on (default, as deployed) or off (`--observability=off`, issue 12's switch). */
  observability: boolean;
}

interface Run {
  label: string;
  deliveriesPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  sent: number;
  ok: number;
  errors: number;
  non2xx: number;
  cpuPerDeliveryUs: number;
  postgresCpuPerDeliveryUs: number;
  benchCpuPerDeliveryUs: number;
  rssMaxMiB: number;
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
    connections: String(args['connections'] ?? '10,20,50').split(',').map(Number),
    databaseUrl: args['database-url'],
    ephemeral: args['ephemeral'] === 'true',
    profile: args['profile'] === 'true',
    bundles: args['from-source'] !== 'true',
    skipBuild: args['skip-build'] === 'true',
    appNodeArgs: args['app-node-args'] ? String(args['app-node-args']).split(' ') : [],
    observability: args['observability'] !== 'off',
  };
}

/** GitHub's published `issues.opened` example for our installation, split around a per-delivery marker. */
function bodyTemplate(): [string, string] {
  const example = structuredClone(examples.find((entry) => entry.name === 'issues')?.examples.find((candidate) => candidate['action'] === 'opened'));
  if (!example) throw new Error('no issues.opened example');
  example['installation'] = { id: INSTALL_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0MjAwMQ==' };
  const [head, tail] = JSON.stringify({ ...example, bench_delivery: '@@DELIVERY@@' }).split('@@DELIVERY@@');
  return [head, tail];
}

async function fire(url: string, label: string, options: { duration: number; connections: number; pid?: number }): Promise<Run> {
  const [head, tail] = bodyTemplate();
  const cpuBefore = cpuMs(options.pid);
  const postgresBefore = descendantsCpuMs(process.pid, 'postgres');
  const benchBefore = process.cpuUsage();
  const rss = sampleRss(options.pid);
  const result = await loadRun({
    url: `${url}/webhooks/github`,
    connections: options.connections,
    duration: options.duration,
    method: 'POST',
    setupRequest: (request) => {
      const deliveryId = randomUUID();
      const body = `${head}${deliveryId}${tail}`;
      request.body = body;
      request.headers = {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/bench',
        'x-github-event': 'issues',
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': signHubSignature(SECRET, body),
      };
      return request;
    },
  });
  return {
    label,
    deliveriesPerSecond: result.rps,
    p50: result.p50,
    p90: result.p90,
    p99: result.p99,
    max: result.max,
    sent: result.sent,
    ok: result.ok,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuPerDeliveryUs: ((cpuMs(options.pid) - cpuBefore) * 1000) / Math.max(1, result.ok),
    postgresCpuPerDeliveryUs: ((descendantsCpuMs(process.pid, 'postgres') - postgresBefore) * 1000) / Math.max(1, result.ok),
    benchCpuPerDeliveryUs: (process.cpuUsage(benchBefore).user + process.cpuUsage(benchBefore).system) / Math.max(1, result.ok),
    rssMaxMiB: Math.max(...rss.stop()),
  };
}

async function main(): Promise<void> {
  const args = parseArgs();
  const bundle = args.bundles ? buildBundles(['api-gateway'], { skipBuild: args.skipBuild })['api-gateway'] : undefined;
  const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'bot-bench-prof-')) : undefined;
  const database = await createBenchDatabase(args.databaseUrl, { ephemeral: args.ephemeral });
  const databaseUrl = database.url;
  const encryptionKey = newEncryptionKey();
  const dataSource = await createDataSource(databaseUrl, testConfig('api-gateway', { DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: encryptionKey }), 2).initialize();
  await runMigrations(dataSource);
  await new InstallationRepository(dataSource).insert(buildInstallation({ platform: 'github', externalInstallId: String(INSTALL_ID) }));
  const settings = await dataSource.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version')`);
  const setting = (name: string) => settings.find((row: { name: string }) => row.name === name)?.setting;

  const gateway = await startAppProcess('api-gateway', {
    DATABASE_URL: databaseUrl,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    GITHUB_APP_ID: '4242',
    GITHUB_APP_NAME: 'bench-bot',
    GITHUB_PRIVATE_KEY: (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    GITHUB_WEBHOOK_SECRET: SECRET,
    // As deployed: a JSON log line per request and metrics on (tracing off), unless --observability=off.
    LOG_LEVEL: 'log',
    LOG_REQUESTS: String(args.observability),
    METRICS_ENABLED: String(args.observability),
  }, { bundle, nodeArgs: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...args.appNodeArgs], boundedOutput: true });

  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  try {
    say(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`);
    say(
      `PostgreSQL ${setting('server_version')} (${args.databaseUrl ? 'from --database-url' : 'embedded, same machine'}), fsync=${setting('fsync')}, synchronous_commit=${setting('synchronous_commit')}.`,
    );
    say(
      `api-gateway: ${bundle ? 'production bundle (`nx build`)' : 'from TypeScript source (@swc-node/register)'}${args.appNodeArgs.length ? `, started with ${args.appNodeArgs.join(' ')}` : ''}` +
        `, request log and metrics ${args.observability ? 'on (LOG_LEVEL=log)' : 'off'}` +
        `${profileDir ? `; CPU profile in ${profileDir}` : ''}.`,
    );
    say(`Load: autocannon in the bench process, api-gateway as its own process, GitHub's issues.opened example (~${Math.round(bodyTemplate().join('').length / 1024)} KiB) with a unique delivery id and signature per request.`);
    say();
    await fire(gateway.url, 'warm-up', { duration: 3, connections: 10 });
    await dataSource.query('TRUNCATE webhook_tasks');
    const runs: Run[] = [];
    for (const connections of args.connections) {
      runs.push(await fire(gateway.url, `${connections} connections, ${args.duration} s`, { duration: args.duration, connections, pid: gateway.child.pid }));
    }
    // Let the last answers' commits land before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM webhook_tasks`);
    const [{ routed }] = await dataSource.query(`SELECT count(*)::int AS routed FROM webhook_tasks WHERE installation_id IS NOT NULL`);
    const acknowledged = runs.reduce((sum, run) => sum + run.ok, 0);

    say('| run | deliveries/s (2xx) | p50 ms | p90 ms | p99 ms | max ms | sent | CPU µs / delivery: gateway / PostgreSQL / load generator | gateway RSS max MiB | errors / non-2xx |');
    say('|---|---|---|---|---|---|---|---|---|---|');
    for (const run of runs) {
      say(
        `| ${run.label} | ${run.deliveriesPerSecond.toFixed(0)} | ${ms(run.p50)} | ${ms(run.p90)} | ${ms(run.p99)} | ${ms(run.max)} | ${run.sent} | ` +
          `${run.cpuPerDeliveryUs.toFixed(0)} / ${run.postgresCpuPerDeliveryUs.toFixed(0)} / ${run.benchCpuPerDeliveryUs.toFixed(0)} | ${run.rssMaxMiB.toFixed(0)} | ${run.errors} / ${run.non2xx} |`,
      );
    }
    say();
    say(`Tasks in webhook_tasks after the runs: ${count} (acknowledged 2xx: ${acknowledged}; routed to the installation: ${routed}; the difference are deliveries still in flight when a run's clock stopped).`);
    const connectionsOf = (run: Run) => Number(run.label.split(' ')[0]);
    for (const run of runs.filter((candidate) => connectionsOf(candidate) === 20)) {
      const met = run.deliveriesPerSecond >= 2000 && run.p99 <= 50;
      say(`Target at 20 connections (≥ 2,000 deliveries/s with p99 ≤ 50 ms): ${met ? 'met' : 'NOT met'} (${run.deliveriesPerSecond.toFixed(0)}/s, p99 ${ms(run.p99)} ms).`);
    }
    for (const run of runs.filter((candidate) => connectionsOf(candidate) === 50)) {
      say(`Target at 50 connections (p99 ≤ 80 ms): ${run.p99 <= 80 ? 'met' : 'NOT met'} (p99 ${ms(run.p99)} ms).`);
    }
    for (const run of runs) say(`RSS of the gateway at ${run.label} (≤ 150 MiB): ${run.rssMaxMiB <= 150 ? 'met' : 'NOT met'} (${run.rssMaxMiB.toFixed(0)} MiB).`);
  } finally {
    await gateway.stop();
    await dataSource.destroy();
    await database.drop();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
