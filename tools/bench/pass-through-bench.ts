// `npm run bench:pass-through [-- --duration=10 --connections=50 --latencies=0,20 --database-url=postgres://…]`
// Measures, on this machine: requests/s and latency straight to a stand-in upstream versus through github-api,
// slack-api and jira-api (each a real OS process with its installation token cached), and TokenService.getToken
// per second with the token cached versus read and decrypted from PostgreSQL each time. Prints a Markdown report.
import { AppConfig, AppConfigModule } from '@bot/config';
import { createDataSource, DatabaseModule, runMigrations } from '@bot/database';
import { InstallationRepository } from '@bot/installations';
import { PlatformsModule } from '@bot/platforms';
import { AppProcess, buildInstallation, newEncryptionKey, startAppProcess, TEST_SERVICE_API_KEY, testConfig } from '@bot/testing';
import { TokenCache, TokenService, TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { cpus, totalmem } from 'node:os';
import { createBenchDatabase } from './bench-database';
import { startBenchUpstream } from './bench-upstream.process';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

interface Args {
  duration: number;
  connections: number;
  latencies: number[];
  databaseUrl?: string;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function parseArgs(): Args {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
  return {
    duration: Number(args['duration'] ?? 10),
    connections: Number(args['connections'] ?? 50),
    latencies: String(args['latencies'] ?? '0,20').split(',').map(Number),
    databaseUrl: args['database-url'],
  };
}

@Module({})
class TokenBenchModule {
  static forRoot(config: AppConfig) {
    return { module: TokenBenchModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), PlatformsModule, TokensModule] };
  }
}

async function load(url: string, headers: Record<string, string>, args: Args, duration = args.duration): Promise<LoadResult> {
  const result = await autocannon({ url, connections: args.connections, duration, headers, pipelining: 1 });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
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

async function main(): Promise<void> {
  const args = parseArgs();
  const database = await createBenchDatabase(args.databaseUrl);
  const databaseUrl = database.url;
  const encryptionKey = newEncryptionKey();
  const config = testConfig('github-api', { DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: encryptionKey });
  const dataSource = await createDataSource(databaseUrl, config, 2).initialize();
  await runMigrations(dataSource);
  const installations = new InstallationRepository(dataSource);
  const inAnHour = new Date(Date.now() + 3600_000);
  const github = await installations.insert(buildInstallation({ platform: 'github', tokenExpiresAt: inAnHour }));
  const slack = await installations.insert(buildInstallation({ platform: 'slack', externalInstallId: null, accessToken: 'xoxb-1-bench', tokenExpiresAt: null }));
  const jira = await installations.insert(buildInstallation({ platform: 'jira', externalOrgId: 'cloud-bench', externalInstallId: null, accessToken: 'eyJbench', refreshToken: 'atl-rt-bench', tokenExpiresAt: inAnHour }));

  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  say(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL ${args.databaseUrl ? 'from --database-url' : 'embedded'}.`);
  say(`Load: autocannon, ${args.connections} connections, ${args.duration} s per run after a 2 s warm-up, one small JSON answer (${'~300'} bytes) per request.`);
  say();

  for (const latency of args.latencies) {
    const upstream = await startBenchUpstream(latency);
    const env = {
      DATABASE_URL: databaseUrl,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      GITHUB_API_BASE_URL: upstream.url,
      SLACK_BASE_URL: upstream.url,
      ATLASSIAN_API_BASE_URL: upstream.url,
      LOG_LEVEL: 'error',
    };
    const apps: AppProcess[] = [];
    try {
      for (const name of ['github-api', 'slack-api', 'jira-api'] as const) apps.push(await startAppProcess(name, env));
      const runs: [string, string, Record<string, string>][] = [
        ['direct to upstream', `${upstream.url}/repos/octo/demo`, {}],
        ['through github-api', `${apps[0].url}/repos/octo/demo`, { authorization: `token ${TEST_SERVICE_API_KEY}`, 'x-installation-id': github.id }],
        ['through slack-api', `${apps[1].url}/api/team.info`, { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': slack.id }],
        ['through jira-api', `${apps[2].url}/rest/api/3/myself`, { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': jira.id }],
      ];
      say(`### Upstream answering after ${latency} ms`);
      say();
      say('| path | requests/s | p50 ms | p99 ms | throughput vs direct | added p50 ms | added p99 ms | errors / non-2xx |');
      say('|---|---|---|---|---|---|---|---|');
      let direct: LoadResult | undefined;
      for (const [name, url, headers] of runs) {
        await load(url, headers, args, 2);
        const result = await load(url, headers, args);
        direct ??= result;
        const ratio = `${((result.rps / direct.rps) * 100).toFixed(0)} %`;
        say(`| ${name} | ${result.rps.toFixed(0)} | ${result.p50} | ${result.p99} | ${ratio} | ${(result.p50 - direct.p50).toFixed(0)} | ${(result.p99 - direct.p99).toFixed(0)} | ${result.errors} / ${result.non2xx} |`);
      }
      say();
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await upstream.stop();
    }
  }

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
  await dataSource.destroy();
  await database.drop();
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
