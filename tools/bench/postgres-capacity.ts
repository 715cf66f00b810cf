// `npm run bench:postgres [-- --duration=5 --concurrency=8,32 --database-url=postgres://…]`
// What one PostgreSQL carries for the two database-bound hot paths, measured from one Node process straight on
// the data layer (no HTTP, so the figure is the database's, not an app's):
// - webhook inserts/s: durable `webhook_tasks` INSERTs with GitHub's `issues.opened` example payload, routed to
//   an installation in the statement, one per commit (deliveries trickling in) and 50 per commit (api-gateway's
//   batcher under a burst);
// - uncached token reads/s: `InstallationRepository.findById` with the column decryption, what TokenService does
//   on a cache miss, over 1,000 installations.
// Without --database-url an embedded PostgreSQL with its default durability (fsync, synchronous_commit on) is
// started in a temp dir. Prints a Markdown report (docs/scaling.md).
import { createDataSource, runMigrations } from '@bot/database';
import { Installation, InstallationRepository } from '@bot/installations';
import { buildInstallation, newEncryptionKey, testConfig } from '@bot/testing';
import { EnqueueItem, typeOrmExecutor, WebhookTaskRepository } from '@bot/webhooks';
import { Logger } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { createBenchDatabase } from './bench-database';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];

const INSTALLATIONS = 1_000;
const BATCH = 50;

interface Args {
  duration: number;
  concurrency: number[];
  databaseUrl?: string;
}

function parseArgs(): Args {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => [...arg.replace(/^--/, '').split('='), 'true'].slice(0, 2)));
  return {
    duration: Number(args['duration'] ?? 5),
    concurrency: String(args['concurrency'] ?? '8,32').split(',').map(Number),
    databaseUrl: args['database-url'],
  };
}

/** Runs `operation` from `concurrency` loops for `seconds`; answers units done per second (an operation may do several). */
async function perSecond(seconds: number, concurrency: number, operation: () => Promise<number>): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) done += await operation();
    }),
  );
  return done / seconds;
}

async function main(): Promise<void> {
  const args = parseArgs();
  // Saturating the database on purpose makes every statement "slow"; one warning each would drown the report.
  Logger.overrideLogger(['error']);
  const database = await createBenchDatabase(args.databaseUrl);
  const encryptionKey = newEncryptionKey();
  const config = testConfig('api-gateway', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey });
  const setup = await createDataSource(database.url, config, 4).initialize();
  await runMigrations(setup);
  const seeding = new InstallationRepository(setup);
  const seeded: Installation[] = [];
  for (let i = 0; i < INSTALLATIONS; i++) seeded.push(await seeding.insert(buildInstallation({ platform: 'github' })));
  await setup.destroy();

  const example = examples.find((entry) => entry.name === 'issues')?.examples.find((candidate) => candidate['action'] === 'opened');
  if (!example) throw new Error('no issues.opened example');
  const delivery = (): EnqueueItem => {
    const installation = seeded[randomInt(seeded.length)];
    const deliveryId = randomUUID();
    return {
      task: {
        platform: 'github',
        eventType: 'issues',
        action: 'opened',
        deliveryId,
        payloadJson: JSON.stringify({ ...example, installation: { id: Number(installation.externalInstallId) }, bench_delivery: deliveryId }),
        receivedAt: new Date(),
      },
      route: { by: 'external_install_id', value: installation.externalInstallId as string },
    };
  };
  const payloadBytes = Buffer.byteLength(delivery().task.payloadJson);

  const rows: string[] = [];
  for (const concurrency of args.concurrency) {
    // One pool per concurrency level, as many connections as loops (what the apps' pools do under load).
    const dataSource = await createDataSource(database.url, config, concurrency).initialize();
    const tasks = new WebhookTaskRepository(typeOrmExecutor(dataSource));
    const installations = new InstallationRepository(dataSource);
    const single = await perSecond(args.duration, concurrency, async () => {
      const item = delivery();
      await tasks.enqueue(item.task, item.route);
      return 1;
    });
    const batched = await perSecond(args.duration, concurrency, async () => (await tasks.enqueueMany(Array.from({ length: BATCH }, delivery))).length);
    const reads = await perSecond(args.duration, concurrency, async () => ((await installations.findById(seeded[randomInt(seeded.length)].id)) ? 1 : 0));
    rows.push(`| ${concurrency} | ${single.toFixed(0)} | ${batched.toFixed(0)} | ${reads.toFixed(0)} |`);
    process.stderr.write(`${rows[rows.length - 1]}\n`);
    await dataSource.destroy();
  }
  await database.drop();

  const lines = [
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end; PostgreSQL ${args.databaseUrl ? 'from --database-url' : 'embedded (default durability)'}.`,
    `${args.duration} s per figure; payload ${payloadBytes} bytes (GitHub issues.opened); ${INSTALLATIONS} installations.`,
    '',
    '| connections | webhook inserts/s, 1 per commit | webhook inserts/s, 50 per commit | uncached token reads/s |',
    '|---|---|---|---|',
    ...rows,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
