// `npm run bench:webhooks [-- --duration=10 --connections=10,20,50 --database-url=postgres://… --ephemeral]`
// Signed GitHub deliveries per second through api-gateway (a real OS process): raw body read, X-Hub-Signature-256
// check, JSON parse, routing and the durable INSERT committed before the 200. Every delivery has its own
// X-GitHub-Delivery and body (so its own signature). Without --database-url an embedded PostgreSQL is started
// with its default durability (fsync and synchronous_commit on); --ephemeral turns them off for comparison.
// Each run is closed-loop (every connection sends its next delivery when the previous one is answered): autocannon's
// --overallRate sends each second's quota in a burst at the start of the second and corrects latencies against a
// 1 ms interval, which measures neither a steady rate nor real latencies. Prints a Markdown report on stdout.
import { createDataSource, runMigrations } from '@bot/database';
import { createBenchDatabase } from './bench-database';
import { InstallationRepository } from '@bot/installations';
import { buildInstallation, newEncryptionKey, startAppProcess, testConfig } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];

const SECRET = 'bench-github-webhook-secret';
const INSTALL_ID = 4242001;

interface Args {
  duration: number;
  connections: number[];
  databaseUrl?: string;
  ephemeral: boolean;
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
}

function parseArgs(): Args {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => [...arg.replace(/^--/, '').split('='), 'true'].slice(0, 2)));
  return {
    duration: Number(args['duration'] ?? 10),
    connections: String(args['connections'] ?? '10,20,50').split(',').map(Number),
    databaseUrl: args['database-url'],
    ephemeral: args['ephemeral'] === 'true',
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

async function fire(url: string, label: string, options: { duration: number; connections: number }): Promise<Run> {
  const [head, tail] = bodyTemplate();
  const result = await autocannon({
    url: `${url}/webhooks/github`,
    connections: options.connections,
    duration: options.duration,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: { body?: string; headers?: Record<string, string> }) => {
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
      },
    ],
  });
  const ok = result['2xx'] as number;
  return {
    label,
    deliveriesPerSecond: ok / options.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    sent: result.requests.sent,
    ok,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const args = parseArgs();
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
    LOG_LEVEL: 'error',
  });

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
    say(`Load: autocannon in the bench process, api-gateway as its own process, GitHub's issues.opened example (~${Math.round(bodyTemplate().join('').length / 1024)} KiB) with a unique delivery id and signature per request.`);
    say();
    await fire(gateway.url, 'warm-up', { duration: 3, connections: 10 });
    await dataSource.query('TRUNCATE webhook_tasks');
    const runs: Run[] = [];
    for (const connections of args.connections) {
      runs.push(await fire(gateway.url, `${connections} connections, ${args.duration} s`, { duration: args.duration, connections }));
    }
    // Let the last answers' commits land before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM webhook_tasks`);
    const [{ routed }] = await dataSource.query(`SELECT count(*)::int AS routed FROM webhook_tasks WHERE installation_id IS NOT NULL`);
    const acknowledged = runs.reduce((sum, run) => sum + run.ok, 0);

    say('| run | deliveries/s (2xx) | p50 ms | p90 ms | p99 ms | max ms | sent | errors / non-2xx |');
    say('|---|---|---|---|---|---|---|---|');
    for (const run of runs) {
      say(`| ${run.label} | ${run.deliveriesPerSecond.toFixed(0)} | ${run.p50} | ${run.p90} | ${run.p99} | ${run.max} | ${run.sent} | ${run.errors} / ${run.non2xx} |`);
    }
    say();
    say(`Tasks in webhook_tasks after the runs: ${count} (acknowledged 2xx: ${acknowledged}; routed to the installation: ${routed}; the difference are deliveries still in flight when a run's clock stopped).`);
    const met = runs.filter((run) => run.deliveriesPerSecond >= 1000 && run.p99 < 50);
    say(`Target (≥ 1,000 deliveries/s with p99 < 50 ms in the same run): ${met.length ? `met by ${met.map((run) => run.label).join('; ')}` : 'not met'}.`);
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
