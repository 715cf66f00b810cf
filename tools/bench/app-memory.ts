// `npm run bench:memory [-- --light-rate=50 --duration=10 --busy-connections=10 --database-url=postgres://…]`
// Resident memory (RSS) of each app as Kubernetes sees it, the figures behind the manifests' requests and limits
// (deploy/k8s): idle after start-up, at a light steady rate, and under a short closed-loop burst, plus the peak
// (VmHWM) over the whole run. Runs the production bundles (`npm run build` first; without them it falls back to
// the sources under @swc-node/register, which costs ~100 MB more and is said in the report), NODE_ENV=production,
// against a stand-in platform API on loopback. Prints a Markdown table on stdout.
import { createDataSource, runMigrations } from '@bot/database';
import { InstallationRepository } from '@bot/installations';
import { buildInstallation, freePort, newEncryptionKey, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, testConfig, tsEntryArgs, tsEntryEnv, WORKSPACE_ROOT } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase } from './bench-database';
import { startBenchUpstream } from './bench-upstream.process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

const APPS = ['oauth-service', 'api-gateway', 'github-api', 'jira-api', 'slack-api', 'sentry-api'] as const;
type App = (typeof APPS)[number];
const WEBHOOK_SECRET = 'bench-github-webhook-secret';

interface Args {
  lightRate: number;
  duration: number;
  busyConnections: number;
  databaseUrl?: string;
}

interface Sample {
  rssMb: number;
  hwmMb: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

function parseArgs(): Args {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => [...arg.replace(/^--/, '').split('='), 'true'].slice(0, 2)));
  return {
    lightRate: Number(args['light-rate'] ?? 50),
    duration: Number(args['duration'] ?? 10),
    busyConnections: Number(args['busy-connections'] ?? 10),
    databaseUrl: args['database-url'],
  };
}

function memoryOf(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function startApp(app: App, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; bundled: boolean; stop(): Promise<void> }> {
  const port = await freePort();
  const bundle = join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.js');
  const bundled = existsSync(bundle);
  const args = bundled ? [bundle] : tsEntryArgs(join('apps', app, 'src', 'main.ts'));
  const child = spawn(process.execPath, args, {
    cwd: bundled ? join(WORKSPACE_ROOT, 'dist', 'apps', app) : WORKSPACE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...(bundled ? {} : tsEntryEnv()), ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`${url}/health/ready`).then((response) => response.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} did not become ready`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { url, child, bundled, stop: async () => (child.kill('SIGTERM'), await exited) };
}

/** Runs autocannon while sampling the app's RSS every 250 ms; answers the highest sample and the request rate. */
async function loadWhileSampling(pid: number, options: Record<string, unknown>): Promise<{ maxRssMb: number; rps: number; non2xx: number; errors: number }> {
  let maxRssMb = 0;
  const sampler = setInterval(() => (maxRssMb = Math.max(maxRssMb, memoryOf(pid).rssMb)), 250);
  try {
    const result = await autocannon(options);
    maxRssMb = Math.max(maxRssMb, memoryOf(pid).rssMb);
    return { maxRssMb, rps: result.requests.average, non2xx: result.non2xx, errors: result.errors + result.timeouts };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  const args = parseArgs();
  const database = await createBenchDatabase(args.databaseUrl);
  const encryptionKey = newEncryptionKey();
  const config = testConfig('github-api', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey });
  const dataSource = await createDataSource(database.url, config, 2).initialize();
  await runMigrations(dataSource);
  const installations = new InstallationRepository(dataSource);
  const inAnHour = new Date(Date.now() + 3600_000);
  const github = await installations.insert(buildInstallation({ platform: 'github', externalInstallId: '4242001', tokenExpiresAt: inAnHour }));
  const slack = await installations.insert(buildInstallation({ platform: 'slack', externalInstallId: null, accessToken: 'xoxb-1-bench', tokenExpiresAt: null }));
  const jira = await installations.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-bench', externalInstallId: null, accessToken: 'eyJbench', refreshToken: 'atl-rt-bench', tokenExpiresAt: inAnHour }));
  const sentry = await installations.insert(
    buildInstallation({ platform: 'sentry', externalOrgId: 'bench-org', externalOrgName: 'bench-org', accessToken: 'sntrys-bench', refreshToken: 'sntry-rt-bench', tokenExpiresAt: inAnHour, metadata: { org_slug: 'bench-org' } }),
  );
  const upstream = await startBenchUpstream(0);

  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    BASE_URL: 'https://bot.example.com',
    DATABASE_URL: database.url,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    ADMIN_API_KEY: TEST_ADMIN_API_KEY,
    SERVICE_API_KEY: TEST_SERVICE_API_KEY,
    SLACK_CLIENT_ID: 'bench-client',
    SLACK_CLIENT_SECRET: 'bench-secret',
    GITHUB_APP_ID: '1',
    GITHUB_APP_NAME: 'bench-app',
    GITHUB_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GITHUB_API_BASE_URL: upstream.url,
    SLACK_BASE_URL: upstream.url,
    ATLASSIAN_API_BASE_URL: upstream.url,
    SENTRY_BASE_URL: upstream.url,
    // Required in production for the apps that write their own URL into answers (as deploy/k8s sets them).
    GITHUB_API_PUBLIC_URL: 'http://github-api:3001',
    SENTRY_API_PUBLIC_URL: 'http://sentry-api:3004',
    OAUTH_RATE_LIMIT_PER_MINUTE: '100000',
  };
  const service = (id: string) => ({ authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': id });
  const requests: Record<App, AutocannonRequest[]> = {
    'oauth-service': [{ method: 'GET', path: '/oauth/install/slack' }],
    'api-gateway': [
      {
        method: 'POST',
        path: '/webhooks/github',
        // Each delivery is new (own id, own signature), so each is a committed INSERT as in production.
        setupRequest: (request: AutocannonRequest) => {
          const deliveryId = randomUUID();
          const body = JSON.stringify({ action: 'opened', installation: { id: 4242001 }, issue: { number: 1, title: `bench ${deliveryId}` }, repository: { full_name: 'octo/demo' } });
          return {
            ...request,
            body,
            headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signHubSignature(WEBHOOK_SECRET, body) },
          };
        },
      } as AutocannonRequest,
    ],
    'github-api': [{ method: 'GET', path: '/repos/octo/demo', headers: service(github.id) }],
    'jira-api': [{ method: 'GET', path: '/rest/api/3/myself', headers: service(jira.id) }],
    'slack-api': [{ method: 'GET', path: '/api/team.info', headers: service(slack.id) }],
    'sentry-api': [{ method: 'GET', path: '/api/0/organizations/bench-org/', headers: service(sentry.id) }],
  };

  const rows: string[] = [];
  let bundled = true;
  try {
    for (const app of APPS) {
      const running = await startApp(app, env);
      bundled &&= running.bundled;
      const pid = running.child.pid as number;
      try {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const idle = memoryOf(pid);
        const light = await loadWhileSampling(pid, { url: running.url, requests: requests[app], connections: 2, overallRate: args.lightRate, duration: args.duration });
        const busy = await loadWhileSampling(pid, { url: running.url, requests: requests[app], connections: args.busyConnections, duration: Math.max(3, Math.round(args.duration / 2)) });
        const peak = memoryOf(pid);
        process.stderr.write(`${app}: idle ${idle.rssMb.toFixed(0)} MB, light ${light.maxRssMb.toFixed(0)} MB, busy ${busy.maxRssMb.toFixed(0)} MB, peak ${peak.hwmMb.toFixed(0)} MB\n`);
        rows.push(
          `| ${app} | ${idle.rssMb.toFixed(0)} | ${light.maxRssMb.toFixed(0)} (${light.rps.toFixed(0)} req/s) | ${busy.maxRssMb.toFixed(0)} (${busy.rps.toFixed(0)} req/s) | ${peak.hwmMb.toFixed(0)} | ${light.errors + busy.errors} / ${light.non2xx + busy.non2xx} |`,
        );
      } finally {
        await running.stop();
      }
    }
  } finally {
    // Also when an app fails to start: no stand-in upstream or database is left behind.
    await upstream.stop();
    await dataSource.destroy();
    await database.drop();
  }

  const lines = [
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${bundled ? 'production bundles (dist/apps)' : 'sources under @swc-node/register (no bundles found)'}, NODE_ENV=production.`,
    `Light: ${args.lightRate} req/s for ${args.duration} s; busy: ${args.busyConnections} connections closed-loop for ${Math.max(3, Math.round(args.duration / 2))} s.`,
    '',
    '| app | idle RSS MB | light max RSS MB | busy max RSS MB | peak (VmHWM) MB | errors / non-2xx |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
