import { APP_NAMES } from '@bot/config';
import { freePort, newEncryptionKey, tsEntryArgs, tsEntryEnv, withClient, WORKSPACE_ROOT } from '@bot/testing';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';

const SERVICE_API_KEY = 'service-key-0123456789abcdef';

/** Pid of the child of `parent` whose command line contains `match` (Linux /proc). */
function childPid(parent: number, match: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(match)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/** The README's run command, as a person runs it: embedded PostgreSQL, six apps, a crash, Ctrl-C, run again. */
describe('npm start (tools/dev/start-all.ts)', () => {
  let root: string;
  let env: Record<string, string>;
  let ports: Record<string, number>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bot-start-all-'));
    chmodSync(root, 0o755);
    ports = {};
    for (const app of APP_NAMES) ports[app] = await freePort();
    env = {
      PATH: process.env['PATH'] ?? '',
      ...tsEntryEnv(),
      EMBEDDED_POSTGRES_DIR: join(root, 'postgres'),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      SANDBOX_DIR: join(root, 'sandbox'),
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      BASE_URL: `http://127.0.0.1:${ports['oauth-service']}`,
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
      SERVICE_API_KEY,
      ...Object.fromEntries(APP_NAMES.map((app) => [`${app.toUpperCase().replace(/-/g, '_')}_PORT`, String(ports[app])])),
    };
  });
  const started: ChildProcessWithoutNullStreams[] = [];
  afterAll(async () => {
    // A failed test may leave a stack running: stop it the way a person would, so its database stops too.
    for (const child of started.filter((c) => c.exitCode === null && c.signalCode === null)) {
      const exited = exitOf(child);
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  // Its own process group, like a terminal's foreground job: a signal to -pid reaches it and every app it runs.
  const start = () => {
    const child = spawn(process.execPath, tsEntryArgs('tools/dev/start-all.ts'), { cwd: WORKSPACE_ROOT, env, stdio: 'pipe', detached: true });
    started.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return { child, output: () => output };
  };
  const waitFor = async (read: () => string, pattern: RegExp, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(read())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const exitOf = (child: ChildProcessWithoutNullStreams) =>
    new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const embeddedUrl = () => `postgres://postgres:postgres@127.0.0.1:${env['EMBEDDED_POSTGRES_PORT']}/bot`;
  const throughApp = (app: string, path: string, installationId: string, method = 'GET') =>
    fetch(`http://127.0.0.1:${ports[app]}${path}`, { method, headers: { authorization: `Bearer ${SERVICE_API_KEY}`, 'x-installation-id': installationId } });

  it('restarts a killed app, flushes every token.used on Ctrl-C to the whole group before the database stops, and keeps data and sandbox installs', async () => {
    const first = start();
    await waitFor(first.output, /all apps ready/);
    for (const app of APP_NAMES) {
      expect(first.output()).toContain(`${app.padEnd(14)} http://localhost:${ports[app]}`);
      expect((await fetch(`http://127.0.0.1:${ports[app]}/health/ready`)).status).toBe(200);
    }
    // Sandbox mode: no credentials are configured, so the fakes stand in and a redirect-following client installs.
    expect(first.output()).toMatch(/sandbox: no slack credentials configured, using the in-repo fake at http:\/\/127\.0\.0\.1:\d+/);
    const landing = await (await fetch(`http://127.0.0.1:${ports['oauth-service']}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira', 'Add to Sentry']) expect(landing).toContain(label);
    // Sentry's install page hands back no state of ours and a redirect-following client keeps no cookie: the
    // callback completes it as an install begun in Sentry.
    const installed: Record<string, string> = {};
    for (const platform of ['github', 'slack', 'jira', 'sentry']) {
      const answer = await fetch(`http://127.0.0.1:${ports['oauth-service']}/oauth/install/${platform}`, { headers: { accept: 'application/json' } });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { success: boolean; installation_id: string };
      expect(body).toMatchObject({ success: true, installation_id: expect.any(String) });
      installed[platform] = body.installation_id;
    }
    await withClient(embeddedUrl(), (client) =>
      client.query(`INSERT INTO installations (platform, external_org_id) VALUES ('github', 'survives-restart')`),
    );

    // A crashed app is restarted; the others keep serving meanwhile.
    const gateway = childPid(first.child.pid!, join('apps', 'api-gateway', 'src', 'main.ts'));
    expect(gateway).toBeDefined();
    process.kill(gateway!, 'SIGKILL');
    await waitFor(first.output, /api-gateway exited unexpectedly \(SIGKILL\); restarting it in 0\.5 s/, 10_000);
    expect((await fetch(`http://127.0.0.1:${ports['oauth-service']}/health`)).status).toBe(200);
    expect((await throughApp('slack-api', '/api/auth.test', installed['slack'], 'POST')).status).toBe(200);
    await waitFor(first.output, /api-gateway restarted and ready/);
    expect((await fetch(`http://127.0.0.1:${ports['api-gateway']}/health/ready`)).status).toBe(200);
    expect(childPid(first.child.pid!, join('apps', 'api-gateway', 'src', 'main.ts'))).not.toBe(gateway);

    // 120 forwarded calls, each a token.used audit event written in batches; Ctrl-C right after the last one.
    // The installation's last_used_at is written at most once a minute, so only the flush at shutdown records this burst.
    const burstStartedAt = new Date();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next++ < 120) expect((await throughApp('slack-api', '/api/auth.test', installed['slack'], 'POST')).status).toBe(200);
      }),
    );
    const exited = exitOf(first.child);
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(first.output()).toMatch(/embedded PostgreSQL stopped; data kept/);
    for (const app of APP_NAMES) {
      await expect(fetch(`http://127.0.0.1:${ports[app]}/health`)).rejects.toThrow();
    }
    await expect(withClient(embeddedUrl(), (client) => client.query('SELECT 1'))).rejects.toThrow();

    const second = start();
    await waitFor(second.output, /all apps ready/);
    expect(second.output()).toContain('migrations: up to date');
    const rows = await withClient(embeddedUrl(), (client) => client.query(`SELECT platform FROM installations ORDER BY platform`));
    expect(rows.rows).toEqual([{ platform: 'github' }, { platform: 'github' }, { platform: 'jira' }, { platform: 'sentry' }, { platform: 'slack' }]);
    const events = await withClient(embeddedUrl(), (client) =>
      client.query<{ count: string }>(`SELECT count(*) FROM audit_events WHERE event = 'token.used' AND installation_id = $1`, [installed['slack']]),
    );
    expect(Number(events.rows[0].count)).toBe(121);
    const usage = await withClient(embeddedUrl(), (client) =>
      client.query<{ flushed: boolean }>(`SELECT last_used_at >= $2 AS flushed FROM installations WHERE id = $1`, [installed['slack'], burstStartedAt]),
    );
    expect(usage.rows).toEqual([{ flushed: true }]);

    // The fakes kept what they issued: installations made before the restart still work through the API apps.
    const slack = await throughApp('slack-api', '/api/auth.test', installed['slack'], 'POST');
    expect(await slack.json()).toMatchObject({ ok: true });
    // Status and body together: a refusal names its reason in the failure.
    const answered = async (response: Response) => ({ status: response.status, body: response.status === 200 ? 'ok' : await response.text() });
    expect(await answered(await throughApp('github-api', '/installation/repositories', installed['github']))).toEqual({ status: 200, body: 'ok' });
    expect(await answered(await throughApp('jira-api', '/rest/api/3/myself', installed['jira']))).toEqual({ status: 200, body: 'ok' });
    expect(await answered(await throughApp('sentry-api', '/api/0/organizations/sandbox-org/', installed['sentry']))).toEqual({ status: 200, body: 'ok' });

    const secondExit = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await secondExit).toBe(0);
  }, 300_000);

  it('stops the whole stack with the last lines of an app that keeps crashing (its port is taken), database included', async () => {
    const blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(ports['jira-api'], resolve));
    try {
      const run = start();
      const exited = exitOf(run.child);
      expect(await exited).toBe(1);
      const output = run.output();
      expect(output).toMatch(/jira-api exited unexpectedly .*; restarting it in 0\.5 s/);
      expect(output).toMatch(/stopping everything: jira-api keeps crashing\. Its last output:/);
      expect(output.slice(output.indexOf('keeps crashing'))).toContain('EADDRINUSE');
      expect(output).toMatch(/embedded PostgreSQL stopped; data kept/);
      expect(output).not.toMatch(/all apps ready/);
      await expect(withClient(embeddedUrl(), (client) => client.query('SELECT 1'))).rejects.toThrow();
      for (const app of APP_NAMES.filter((name) => name !== 'jira-api')) {
        await expect(fetch(`http://127.0.0.1:${ports[app]}/health`)).rejects.toThrow();
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 180_000);
});
