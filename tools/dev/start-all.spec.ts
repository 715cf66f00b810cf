import { APP_NAMES } from '@bot/config';
import { freePort, newEncryptionKey, tsEntryArgs, tsEntryEnv, withClient, WORKSPACE_ROOT } from '@bot/testing';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The README's run command, as a person runs it: embedded PostgreSQL, five apps, Ctrl-C, run again. */
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
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      BASE_URL: `http://127.0.0.1:${ports['oauth-service']}`,
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
      SERVICE_API_KEY: 'service-key-0123456789abcdef',
      ...Object.fromEntries(APP_NAMES.map((app) => [`${app.toUpperCase().replace(/-/g, '_')}_PORT`, String(ports[app])])),
    };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const start = () => {
    const child = spawn(process.execPath, tsEntryArgs('tools/dev/start-all.ts'), { cwd: WORKSPACE_ROOT, env, stdio: 'pipe' });
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

  it('starts everything with one line per app, stops cleanly on Ctrl-C, and keeps the data for the next run', async () => {
    const first = start();
    await waitFor(first.output, /all apps ready/);
    for (const app of APP_NAMES) {
      expect(first.output()).toContain(`${app.padEnd(14)} http://localhost:${ports[app]}`);
      const ready = await fetch(`http://127.0.0.1:${ports[app]}/health/ready`);
      expect(ready.status).toBe(200);
    }
    // Sandbox mode: no credentials are configured, so the fakes stand in and a redirect-following client installs.
    expect(first.output()).toMatch(/sandbox: no slack credentials configured, using the in-repo fake at http:\/\/127\.0\.0\.1:\d+/);
    const landing = await (await fetch(`http://127.0.0.1:${ports['oauth-service']}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira']) expect(landing).toContain(label);
    for (const platform of ['github', 'slack', 'jira']) {
      const installed = await fetch(`http://127.0.0.1:${ports['oauth-service']}/oauth/install/${platform}`, { headers: { accept: 'application/json' } });
      expect(installed.status).toBe(200);
      expect(await installed.json()).toMatchObject({ success: true, installation_id: expect.any(String) });
    }
    await withClient(embeddedUrl(), (client) =>
      client.query(`INSERT INTO installations (platform, external_org_id) VALUES ('github', 'survives-restart')`),
    );

    const exited = exitOf(first.child);
    first.child.kill('SIGINT');
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
    expect(rows.rows).toEqual([{ platform: 'github' }, { platform: 'github' }, { platform: 'jira' }, { platform: 'slack' }]);
    const secondExit = exitOf(second.child);
    second.child.kill('SIGTERM');
    expect(await secondExit).toBe(0);
  }, 180_000);
});
