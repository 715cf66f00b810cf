// `npm run bench:console [-- --installations=100000 --audit=1000000 --samples=200 --database-url=postgres://… --ephemeral --keep]`
// Latency of the operator console's pages (oauth-service as a real OS process, signed in like a browser) over a
// database seeded with 100,000 installations and 1,000,000 audit rows: the list unfiltered, filtered, searched and
// walked page by page through its "Older" links (so every depth is sampled), one installation with its audit trail
// (an ordinary one, and one with 100,000 audit rows walked page by page), the webhook queue, a task and the health
// events. One request at a time, each timed from the client, `--samples` per page. Prints a Markdown report.
import { createDataSource, runMigrations } from '@bot/database';
import { PLATFORM_MODULES } from '@bot/platforms';
import { newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, testConfig } from '@bot/testing';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { createBenchDatabase } from './bench-database';

const TARGET_P95_MS = 100;

interface Args {
  installations: number;
  audit: number;
  samples: number;
  databaseUrl?: string;
  ephemeral: boolean;
  /** Leave the seeded database in place (with --database-url) to look at plans afterwards. */
  keep: boolean;
}

interface Result {
  page: string;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function parseArgs(): Args {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => [...arg.replace(/^--/, '').split('='), 'true'].slice(0, 2)));
  return {
    installations: Number(args['installations'] ?? 100_000),
    audit: Number(args['audit'] ?? 1_000_000),
    samples: Number(args['samples'] ?? 200),
    databaseUrl: args['database-url'],
    ephemeral: args['ephemeral'] === 'true',
    keep: args['keep'] === 'true',
  };
}

/** Installations over every registered platform and status, audit rows (a tenth on one installation), queue and events. */
async function seed(dataSource: DataSource, args: Args): Promise<{ hot: string; ordinary: string; deadTask: string }> {
  const platforms = PLATFORM_MODULES.map((entry) => entry.platform);
  await dataSource.query(
    `INSERT INTO installations (platform, status, status_reason, external_org_id, external_org_name, external_install_id, installed_by,
                                scopes, metadata, token_expires_at, last_used_at, revoked_at, created_at, updated_at)
     SELECT p.platform, s.status,
            CASE s.status WHEN 'needs_reinstall' THEN 'invalid_grant: refresh token revoked' WHEN 'suspended' THEN 'suspended on GitHub' WHEN 'revoked' THEN 'uninstalled' END,
            'org-' || n, (ARRAY['acme','globex','initech','umbrella','stark','wayne','tyrell','cyberdyne','hooli','soylent'])[1 + n % 10] || '-' ||
              (ARRAY['labs','systems','cloud','works','group','digital','partners'])[1 + (n / 10) % 7] || '-' || n,
            CASE WHEN p.platform = 'github' THEN (1000000 + n)::text END, 'user' || (n % 5000),
            '["issues:write","contents:read"]'::jsonb, jsonb_build_object('account_type', 'Organization', 'n', n),
            now() + make_interval(mins => n % 120), now() - make_interval(secs => n % 86400),
            CASE WHEN s.status = 'revoked' THEN now() - make_interval(hours => n % 1000) END,
            now() - make_interval(secs => n * 600), now() - make_interval(secs => n * 300)
     FROM generate_series(1, $1) AS n
     CROSS JOIN LATERAL (SELECT ($2::text[])[1 + n % array_length($2::text[], 1)] AS platform) p
     CROSS JOIN LATERAL (SELECT CASE WHEN n % 20 = 1 THEN 'needs_reinstall' WHEN n % 20 = 2 THEN 'suspended' WHEN n % 20 = 3 THEN 'revoked' ELSE 'active' END AS status) s`,
    [args.installations, platforms],
  );
  const [hot] = await dataSource.query(`SELECT id FROM installations WHERE status = 'active' ORDER BY created_at DESC LIMIT 1`);
  const [ordinary] = await dataSource.query(`SELECT id FROM installations WHERE status = 'active' ORDER BY created_at DESC OFFSET $1 LIMIT 1`, [Math.floor(args.installations / 4)]);
  const hotRows = Math.floor(args.audit / 10);
  const perInstallation = Math.max(1, Math.floor((args.audit - hotRows) / args.installations));
  const events = `(ARRAY['token.used','token.used','token.used','token.refreshed','installation.installed','installation.reinstalled','token.refresh_failed','installation.permissions_updated'])`;
  await dataSource.query(
    `INSERT INTO audit_events (occurred_at, event, platform, installation_id, actor, detail)
     SELECT now() - make_interval(secs => k * 3600 + (hashtext(i.id::text) & 1023)), ${events}[1 + k % 8], i.platform, i.id, 'github-api',
            jsonb_build_object('method', 'GET', 'path', '/repos/o/r/issues', 'status', 200)
     FROM installations i CROSS JOIN generate_series(1, $1) AS k`,
    [perInstallation],
  );
  await dataSource.query(
    `INSERT INTO audit_events (occurred_at, event, platform, installation_id, actor, detail)
     SELECT now() - make_interval(secs => k), ${events}[1 + k % 8], 'github', $1, 'github-api', jsonb_build_object('method', 'GET', 'path', '/repos/o/r/issues', 'status', 200)
     FROM generate_series(1, $2) AS k`,
    [hot.id, hotRows],
  );
  // A queue as it looks mid-life: finished tasks, a backlog, some in flight, dead letters.
  await dataSource.query(
    `INSERT INTO webhook_tasks (queue, platform, installation_id, event_type, action, delivery_id, payload, received_at, status, attempts, max_attempts, last_error, run_after, locked_until, locked_by, updated_at)
     SELECT q, q, NULL, 'issues', 'opened', 'bench-' || n, json_build_object('action', 'opened', 'issue', json_build_object('number', n, 'title', 'Issue ' || n)),
            now() - make_interval(secs => n), st, CASE st WHEN 'dead' THEN 10 ELSE 1 END, 10,
            CASE st WHEN 'dead' THEN 'handler failed: upstream answered 500' END, now(),
            CASE st WHEN 'processing' THEN now() + interval '5 minutes' END, CASE st WHEN 'processing' THEN 'bench-consumer' END,
            now() - make_interval(secs => n)
     FROM generate_series(1, 200000) AS n
     CROSS JOIN LATERAL (SELECT (ARRAY[${platforms.map((platform) => `'${platform}'`).join(',')}])[1 + n % ${platforms.length}] AS q) queue
     CROSS JOIN LATERAL (SELECT CASE WHEN n % 100 = 0 THEN 'dead' WHEN n % 100 = 1 THEN 'pending' WHEN n % 1000 = 2 THEN 'processing' ELSE 'done' END AS st) s`,
  );
  const [deadTask] = await dataSource.query(`SELECT id::text AS id FROM webhook_tasks WHERE status = 'dead' ORDER BY id LIMIT 1`);
  // Health events already fanned out to an endpoint that cannot be reached: a history of delivered and failed ones.
  await dataSource.query(`INSERT INTO health_event_endpoints (url, source) VALUES ('http://127.0.0.1:9/bench', 'env')`);
  await dataSource.query(
    `INSERT INTO health_events (type, platform, installation_id, org_id, org_name, data, occurred_at, fanned_out_at)
     SELECT 'installation.needs_reinstall', i.platform, i.id, i.external_org_id, i.external_org_name, '{"reason":"invalid_grant"}'::jsonb, now() - make_interval(mins => (row_number() OVER ())::int), now()
     FROM (SELECT * FROM installations WHERE status = 'needs_reinstall' LIMIT 2000) i`,
  );
  await dataSource.query(
    `INSERT INTO health_event_deliveries (event_id, endpoint_id, status, attempts, retry_until, last_status, last_error, last_attempt_at, delivered_at, updated_at)
     SELECT e.id, ep.id, CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'delivered' END, CASE WHEN n % 10 = 0 THEN 31 ELSE 1 END, e.occurred_at + interval '24 hours',
            CASE WHEN n % 10 = 0 THEN 502 ELSE 200 END, CASE WHEN n % 10 = 0 THEN 'HTTP 502 Bad Gateway' END, e.occurred_at, CASE WHEN n % 10 <> 0 THEN e.occurred_at END, e.occurred_at
     FROM (SELECT id, occurred_at, row_number() OVER () AS n FROM health_events) e CROSS JOIN health_event_endpoints ep`,
  );
  await dataSource.query('VACUUM ANALYZE');
  return { hot: hot.id, ordinary: ordinary.id, deadTask: deadTask.id };
}

/** A signed-in console session: the session cookie of a real sign-in through the form. */
async function signIn(url: string): Promise<string> {
  const form = await fetch(`${url}/admin/login`);
  const page = await form.text();
  const loginCookie = form.headers.getSetCookie().find((cookie) => cookie.startsWith('bot_admin_login='))?.split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const response = await fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ key: TEST_ADMIN_API_KEY, _csrf: token }),
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith('bot_admin_session='));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed with ${response.status}`);
  return session.split(';')[0];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Times `samples` page loads; `next` gives each request's path (and may follow links of the previous page). */
async function measure(url: string, cookie: string, page: string, samples: number, next: (index: number, previous: string) => string): Promise<Result> {
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < samples; i++) {
    const path = next(i, body);
    const started = performance.now();
    const response = await fetch(`${url}${path}`, { headers: { cookie } });
    body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { page, samples, p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)), max: round(times[times.length - 1]) };
}

/** The href of the link with this text on a page, unescaped. */
function linkTo(page: string, text: string): string | undefined {
  const match = new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(page);
  return match?.[1].replace(/&amp;/g, '&');
}

async function main(): Promise<void> {
  const args = parseArgs();
  const database = await createBenchDatabase(args.databaseUrl, { ephemeral: args.ephemeral });
  const encryptionKey = newEncryptionKey();
  const dataSource = await createDataSource(database.url, testConfig('oauth-service', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey }), 2).initialize();
  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  let app: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  try {
    await runMigrations(dataSource);
    const seedStarted = performance.now();
    const ids = await seed(dataSource, args);
    const seconds = Math.round((performance.now() - seedStarted) / 1000);
    const [counts] = await dataSource.query(
      `SELECT (SELECT count(*) FROM installations)::int AS installations, (SELECT count(*) FROM audit_events)::int AS audit,
              (SELECT count(*) FROM audit_events WHERE installation_id = $1)::int AS hot, (SELECT count(*) FROM audit_events WHERE installation_id = $2)::int AS ordinary,
              (SELECT count(*) FROM webhook_tasks)::int AS tasks,
              (SELECT count(*) FROM health_event_deliveries)::int AS deliveries, current_setting('server_version') AS version`,
      [ids.hot, ids.ordinary],
    );
    app = await startAppProcess('oauth-service', {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      LOG_LEVEL: 'error',
      EVENT_WEBHOOK_URLS: 'http://127.0.0.1:9/bench',
      EVENT_WEBHOOK_SECRET: 'bench-event-webhook-secret',
    });
    const cookie = await signIn(app.url);

    say(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at start ${loadavg()[0].toFixed(1)}.`);
    say(`PostgreSQL ${counts.version} (${args.databaseUrl ? 'from --database-url' : 'embedded, same machine'}).`);
    say(
      `Data: ${counts.installations.toLocaleString('en-US')} installations over ${PLATFORM_MODULES.length} platforms (85 % active, 5 % each suspended / needs_reinstall / revoked), ` +
        `${counts.audit.toLocaleString('en-US')} audit rows (${counts.hot.toLocaleString('en-US')} on one installation), ${counts.tasks.toLocaleString('en-US')} webhook tasks ` +
        `(1 % dead, 1 % pending), ${counts.deliveries.toLocaleString('en-US')} health event deliveries; seeded in ${seconds} s, then VACUUM ANALYZE.`,
    );
    say(`Load: one signed-in client, one request at a time, ${args.samples} requests per page after a warm-up, timed in the client (whole HTML page received).`);
    say();

    const platforms = PLATFORM_MODULES.map((entry) => entry.platform);
    const words = ['acme', 'globex', 'initech', 'umbrella', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'hooli', 'soylent'];
    const suffixes = ['labs', 'systems', 'cloud', 'works', 'group', 'digital', 'partners'];
    const orgName = (n: number) => `${words[n % 10]}-${suffixes[Math.floor(n / 10) % 7]}-${n}`;
    // Random positions anywhere in the lists, in the console's own page-link format (base64url of [sort time, id]).
    const cursor = (row: { at: string; id: string }) => Buffer.from(JSON.stringify([row.at, row.id])).toString('base64url');
    const deepInstallations: { at: string; id: string }[] = await dataSource.query(`SELECT created_at::text AS at, id FROM installations ORDER BY random() LIMIT $1`, [args.samples]);
    const deepAudit: { at: string; id: string }[] = await dataSource.query(
      `SELECT occurred_at::text AS at, id::text AS id FROM audit_events WHERE installation_id = $1 ORDER BY random() LIMIT $2`,
      [ids.hot, args.samples],
    );
    const walk = (first: string, link: string) => (index: number, previous: string) => (index === 0 ? first : (linkTo(previous, link) ?? first));
    const scenarios: [string, (index: number, previous: string) => string][] = [
      ['installations, first page', () => '/admin/installations'],
      ['installations, one platform', (i) => `/admin/installations?platform=${platforms[i % platforms.length]}`],
      ['installations, platform + needs_reinstall', (i) => `/admin/installations?platform=${platforms[i % platforms.length]}&status=needs_reinstall`],
      ['installations, status suspended', () => '/admin/installations?status=suspended'],
      ['installations, search (name substring)', (i) => `/admin/installations?q=${orgName(((i * 7919) % args.installations) + 1).slice(2)}`],
      ['installations, search (common word, many matches)', (i) => `/admin/installations?q=${words[i % words.length]}`],
      ['installations, search of 2 characters (too short for trigrams: a scan)', (i) => `/admin/installations?q=${['zq', 'qx', 'k9', 'xy'][i % 4]}`],
      ['installations, walking "Older" page by page', walk('/admin/installations', 'Older →')],
      ['installations, needs_reinstall walked page by page', walk('/admin/installations?status=needs_reinstall', 'Older →')],
      ['installations, random deep pages', (i) => `/admin/installations?after=${cursor(deepInstallations[i % deepInstallations.length])}`],
      [`one installation (${counts.ordinary} audit rows)`, () => `/admin/installations/${ids.ordinary}`],
      [`one installation (${counts.hot.toLocaleString('en-US')} audit rows), walking its audit pages`, walk(`/admin/installations/${ids.hot}`, 'Older events →')],
      ['hot installation, random deep audit pages', (i) => `/admin/installations/${ids.hot}?audit_after=${cursor(deepAudit[i % deepAudit.length])}`],
      ['revoke confirm page', () => `/admin/installations/${ids.ordinary}/revoke`],
      ['webhook queue with dead letters', () => '/admin/webhooks'],
      ['webhook queue, dead letters walked page by page', walk('/admin/webhooks', 'Older →')],
      ['one webhook task', () => `/admin/webhooks/tasks/${ids.deadTask}`],
      ['health events (failed deliveries)', () => '/admin/events'],
    ];
    for (const [page, next] of scenarios) await measure(app.url, cookie, page, Math.min(20, args.samples), next);
    const results: Result[] = [];
    for (const [page, next] of scenarios) results.push(await measure(app.url, cookie, page, args.samples, next));

    say('| page | requests | p50 ms | p95 ms | p99 ms | max ms |');
    say('|---|---|---|---|---|---|');
    for (const result of results) say(`| ${result.page} | ${result.samples} | ${result.p50} | ${result.p95} | ${result.p99} | ${result.max} |`);
    say();
    const missed = results.filter((result) => result.p95 >= TARGET_P95_MS);
    say(`Target (p95 < ${TARGET_P95_MS} ms on every page): ${missed.length === 0 ? 'met' : `missed by ${missed.map((result) => result.page).join('; ')}`}.`);
  } finally {
    await app?.stop();
    await dataSource.destroy();
    if (args.keep && args.databaseUrl) say(`Kept the database: ${database.url}`);
    else await database.drop();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
