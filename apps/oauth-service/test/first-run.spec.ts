import {
  AppProcess,
  createTestDatabase,
  DisposablePostgres,
  freePort,
  newEncryptionKey,
  runAppProcess,
  startAppProcess,
  TEST_SERVICE_API_KEY,
  TestDatabase,
} from '@bot/testing';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a developer meets the product first: one app alone from a fresh clone, and the start-up errors they may hit. */
describe('oauth-service on a fresh clone', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('run alone (nx serve oauth-service) gets the sandbox, installs by following redirects, and another app reuses those fakes', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const workspace = mkdtempSync(join(tmpdir(), 'bot-fresh-clone-'));
    cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
    const port = await freePort();
    // No platform credentials and no SANDBOX: the development default.
    const env = {
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      BASE_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'log',
    };
    const oauth: AppProcess = await startAppProcess('oauth-service', { ...env, PORT: String(port) }, 60_000, workspace);
    cleanup.push(() => oauth.stop());
    expect(oauth.output()).toMatch(/sandbox: no slack credentials configured, using the in-repo fake at http:\/\/127\.0\.0\.1:\d+ \(started by this process\)/);

    const landing = await (await fetch(`${oauth.url}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira']) expect(landing).toContain(label);
    const installed: Record<string, string> = {};
    for (const platform of ['github', 'slack', 'jira']) {
      // A script's install: follow every redirect (oauth-service → fake → callback) and read the JSON answer.
      const answer = await fetch(`${oauth.url}/oauth/install/${platform}`, { headers: { accept: 'application/json' } });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { success: boolean; installation_id: string };
      expect(body).toMatchObject({ success: true, installation_id: expect.any(String) });
      installed[platform] = body.installation_id;
    }
    const record = JSON.parse(readFileSync(join(workspace, '.data', 'sandbox', 'sandbox.json'), 'utf8')) as { pid: number };
    expect(record.pid).toBe(oauth.child.pid);

    const slackApi = await startAppProcess('slack-api', env, 60_000, workspace);
    cleanup.push(() => slackApi.stop());
    expect(slackApi.output()).toContain(`(run by process ${oauth.child.pid})`);
    const call = await fetch(`${slackApi.url}/api/auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installed['slack'] },
    });
    expect(call.status).toBe(200);
    expect(await call.json()).toMatchObject({ ok: true });

    await slackApi.stop();
    await oauth.stop();
    // The process that ran the fakes stopped them and freed the record; what they issued stays for the next run.
    expect(existsSync(join(workspace, '.data', 'sandbox', 'sandbox.json'))).toBe(false);
    expect(existsSync(join(workspace, '.data', 'sandbox', 'slack.state'))).toBe(true);
  }, 120_000);

  it('when the app that runs the fakes stops first, an app that reused them runs them on the same ports, and its installs keep working', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const workspace = mkdtempSync(join(tmpdir(), 'bot-fresh-clone-'));
    cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
    const port = await freePort();
    const env = { NODE_ENV: 'development', DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey(), BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'log' };
    const oauth = await startAppProcess('oauth-service', { ...env, PORT: String(port) }, 60_000, workspace);
    cleanup.push(() => oauth.stop());
    const install = await fetch(`${oauth.url}/oauth/install/slack`, { headers: { accept: 'application/json' } });
    const { installation_id: installationId } = (await install.json()) as { installation_id: string };
    const slackApi = await startAppProcess('slack-api', env, 60_000, workspace);
    cleanup.push(() => slackApi.stop());
    const recordPath = join(workspace, '.data', 'sandbox', 'sandbox.json');
    const before = JSON.parse(readFileSync(recordPath, 'utf8')) as { pid: number; platforms: Record<string, { url: string }> };
    expect(before.pid).toBe(oauth.child.pid);

    await oauth.stop();
    const deadline = Date.now() + 20_000;
    while (!slackApi.output().includes('this process runs them now, on the same ports')) {
      if (Date.now() > deadline) throw new Error(`slack-api did not take the fakes over:\n${slackApi.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const after = JSON.parse(readFileSync(recordPath, 'utf8')) as typeof before;
    expect(after.pid).toBe(slackApi.child.pid);
    expect(after.platforms).toEqual(before.platforms);
    const call = await fetch(`${slackApi.url}/api/auth.test`, { method: 'POST', headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}`, 'x-installation-id': installationId } });
    expect(await call.json()).toMatchObject({ ok: true });

    await slackApi.stop();
    expect(existsSync(recordPath)).toBe(false);
  }, 120_000);

  it('run alone with SANDBOX=off starts no fakes: no install buttons, installs answer 404 platform_not_configured', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const workspace = mkdtempSync(join(tmpdir(), 'bot-fresh-clone-'));
    cleanup.push(() => rmSync(workspace, { recursive: true, force: true }));
    const port = await freePort();
    const oauth = await startAppProcess(
      'oauth-service',
      { NODE_ENV: 'development', SANDBOX: 'off', DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey(), BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'log', PORT: String(port) },
      60_000,
      workspace,
    );
    cleanup.push(() => oauth.stop());
    expect(oauth.output()).not.toMatch(/sandbox/);
    expect(existsSync(join(workspace, '.data', 'sandbox'))).toBe(false);
    const landing = await (await fetch(`${oauth.url}/`)).text();
    for (const label of ['Add to GitHub', 'Add to Slack', 'Add to Jira', 'Add to Sentry']) expect(landing).not.toContain(label);
    for (const platform of ['github', 'slack', 'jira', 'sentry']) {
      const answer = await fetch(`${oauth.url}/oauth/install/${platform}`, { headers: { accept: 'application/json' }, redirect: 'manual' });
      expect([platform, answer.status, ((await answer.json()) as { error?: { code?: string } }).error?.code]).toEqual([platform, 404, 'platform_not_configured']);
    }
  }, 60_000);

  it("refuses another checkout's embedded PostgreSQL on its port with one line naming the port and EMBEDDED_POSTGRES_PORT", async () => {
    const foreign = await DisposablePostgres.start();
    cleanup.push(() => foreign.destroy());
    const result = await runAppProcess('oauth-service', {
      NODE_ENV: 'development',
      SANDBOX: 'off',
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      EMBEDDED_POSTGRES_PORT: String(foreign.port),
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^oauth-service: embedded PostgreSQL: port ${foreign.port} is taken by a PostgreSQL server with its data in \\S+, not by this checkout's cluster .*EMBEDDED_POSTGRES_PORT=`),
    );
    expect(result.stdout).not.toMatch(/listening/);
  }, 60_000);

  it('in production refuses a non-https BASE_URL at start-up with one line', async () => {
    const result = await runAppProcess('oauth-service', {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      BASE_URL: 'http://bot.example.com',
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      ADMIN_API_KEY: 'admin-key-0123456789abcdef',
      SERVICE_API_KEY: 'service-key-0123456789abcdef',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'oauth-service: Invalid configuration: BASE_URL must be an https:// URL when NODE_ENV=production (OAuth redirects carry codes and state)',
    ]);
  }, 60_000);
});
