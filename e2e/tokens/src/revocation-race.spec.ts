import { createDataSource } from '@bot/database';
import { InstallationRepository } from '@bot/installations';
import { jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import {
  AppProcess,
  buildInstallation,
  createTestDatabase,
  LatencyProxy,
  newEncryptionKey,
  startAppProcess,
  startLatencyProxy,
  TEST_ADMIN_API_KEY,
  TEST_SERVICE_API_KEY,
  TestDatabase,
  testConfig,
} from '@bot/testing';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

/** One call of the loop, timed by the test process. */
interface LoopCall {
  app: 'first' | 'second';
  startedAt: number;
  status: number;
  code?: string;
}

const LEASE_MS = 2000;
const CALLS_AFTER_ANSWER = 1000;
/** How late the second process receives notifications: without the revoke's wait, calls in that window would be served. */
const NOTIFICATION_DELAY_MS = 250;

/**
 * The guarantee of DELETE /oauth/installations/:id: once it has answered, no API process forwards the token.
 * Real OS processes (oauth-service and two jira-api) on one database; a loop of calls through both jira-api
 * processes, each of which holds the installation's token in its cache, runs while the revoke is sent.
 * Jira is the strict case: Atlassian has no revocation endpoint, so the fake keeps answering with data for
 * anything that reaches it. The second jira-api reaches PostgreSQL through a proxy that delivers its LISTEN
 * connection's traffic 250 ms late (a slow link), so a revoke that answered without waiting for the processes
 * would let that process serve the token for a quarter of a second after the answer.
 */
describe('revocation is final when answered, across OS processes', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let dataSource: DataSource;
  let installations: InstallationRepository;
  let oauth: AppProcess;
  let first: AppProcess;
  let second: AppProcess;
  let slowLink: LatencyProxy;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    const env = { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey, UPSTREAM_TIMEOUT_MS: '5000', TOKEN_CACHE_LEASE_MS: String(LEASE_MS), ...sandbox.env };
    const direct = new URL(database.url);
    slowLink = await startLatencyProxy({ host: direct.hostname, port: Number(direct.port || 5432) }, { delayMs: NOTIFICATION_DELAY_MS, delayWhenClientSends: 'jira-api:listen' });
    const throughSlowLink = Object.assign(new URL(database.url), { hostname: '127.0.0.1', port: String(slowLink.port) }).toString();
    [oauth, first, second] = await Promise.all([
      startAppProcess('oauth-service', { ...env, BASE_URL: 'http://127.0.0.1:9', OAUTH_RATE_LIMIT_PER_MINUTE: '1000' }),
      startAppProcess('jira-api', env),
      startAppProcess('jira-api', { ...env, DATABASE_URL: throughSlowLink }),
    ]);
    dataSource = await createDataSource(database.url, testConfig('jira-api', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey }), 2).initialize();
    installations = new InstallationRepository(dataSource);
  }, 120_000);
  afterAll(async () => {
    for (const app of [first, second]) if (app?.child.signalCode === null) app.child.kill('SIGCONT');
    await Promise.all([oauth, first, second].map((app) => app?.stop()));
    await dataSource?.destroy();
    await slowLink?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  /** A Jira site granted to the app and its installation row, with a token valid for an hour. */
  const installJira = async () => {
    const grant = sandbox.atlassian.grant([jiraSite(`race-${randomUUID().slice(0, 8)}`)]);
    return installations.insert(
      buildInstallation({
        platform: 'jira',
        externalOrgId: grant.sites[0].id,
        externalInstallId: null,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        tokenExpiresAt: new Date(Date.now() + 3600_000),
        oauthGrantId: randomUUID(),
      }),
    );
  };
  /**
   * The prefix form: the SDK-style base URL plus the service key, nothing else. A new connection per call, so a
   * process waking from SIGSTOP cannot close a kept-alive connection under a request already sent on it.
   */
  const call = (app: AppProcess, installationId: string): Promise<{ status: number; body: { code?: string } }> =>
    new Promise((resolve, reject) => {
      const req = request(`${app.url}/installations/${installationId}/rest/api/3/myself`, { agent: false, headers: { authorization: `Bearer ${TEST_SERVICE_API_KEY}` } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string } }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const until = async (condition: () => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await sleep(20);
    }
  };

  /** Runs the loop (four callers per process), revokes meanwhile, and reports what each call got. */
  const race = async (options: { freeze?: AppProcess } = {}) => {
    const row = await installJira();
    for (const app of [first, second]) expect((await call(app, row.id)).status).toBe(200);
    const calls: LoopCall[] = [];
    let running = true;
    const loop = async (app: AppProcess, name: LoopCall['app']) => {
      while (running) {
        const startedAt = performance.now();
        const { status, body } = await call(app, row.id);
        calls.push({ app: name, startedAt, status, code: body.code });
      }
    };
    const loops = [...Array.from({ length: 4 }, () => loop(first, 'first')), ...Array.from({ length: 4 }, () => loop(second, 'second'))];
    // Both processes serve the installation from their caches before the revoke.
    await until(() => calls.filter((c) => c.app === 'first' && c.status === 200).length >= 20 && calls.filter((c) => c.app === 'second' && c.status === 200).length >= 20);
    if (options.freeze) options.freeze.child.kill('SIGSTOP');

    const sentAt = performance.now();
    const revoke = await fetch(`${oauth.url}/oauth/installations/${row.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } });
    const answeredAt = performance.now();
    const answer = (await revoke.json()) as Record<string, unknown> & { token_caches: Record<string, unknown> };
    expect(revoke.status).toBe(200);

    await until(() => calls.filter((c) => c.startedAt > answeredAt).length >= CALLS_AFTER_ANSWER);
    if (options.freeze) {
      options.freeze.child.kill('SIGCONT');
      const frozen = options.freeze === first ? 'first' : 'second';
      await until(() => calls.filter((c) => c.app === frozen && c.startedAt > answeredAt).length >= 100);
    }
    running = false;
    await Promise.all(loops);

    const after = calls.filter((c) => c.startedAt > answeredAt);
    return { row, answer, answerMs: answeredAt - sentAt, before: calls.filter((c) => c.startedAt < sentAt), after };
  };

  it('both processes healthy (one on a slow link): the revoke answers within 1 s, and none of ≥1,000 calls started after the answer is served', async () => {
    const { answer, answerMs, before, after } = await race();

    expect(slowLink.delayedConnections()).toBeGreaterThanOrEqual(1);
    expect(before.filter((c) => c.status === 200).length).toBeGreaterThan(40);
    // It waited for the slow process's acknowledgement, and not for much more.
    expect(answerMs).toBeGreaterThanOrEqual(NOTIFICATION_DELAY_MS);
    expect(answerMs).toBeLessThan(1000);
    expect(answer.token_caches).toMatchObject({ confirmed: true, lease_expired: [], unconfirmed: [] });
    // oauth-service holds a token cache of its own (Jira webhook registrations use the TokenService) and confirms too.
    expect(new Set((answer.token_caches['acknowledged'] as { pid: number }[]).map((p) => p.pid))).toEqual(new Set([first.child.pid, second.child.pid, oauth.child.pid]));

    expect(after.length).toBeGreaterThanOrEqual(CALLS_AFTER_ANSWER);
    expect(new Set(after.map((c) => c.app))).toEqual(new Set(['first', 'second']));
    expect(after.filter((c) => c.status === 200)).toEqual([]);
    expect(new Set(after.map((c) => `${c.status} ${c.code}`))).toEqual(new Set(['410 installation_revoked']));
  }, 180_000);

  it('one process frozen (SIGSTOP): the revoke answers after that process’s lease ran out, names it, and still no call after the answer is served', async () => {
    const { answer, answerMs, after } = await race({ freeze: first });

    // The bound: about one lease (the frozen process's last heartbeat + TOKEN_CACHE_LEASE_MS), never much more.
    expect(answerMs).toBeGreaterThan(LEASE_MS / 2);
    expect(answerMs).toBeLessThan(LEASE_MS + 2000);
    const tokenCaches = answer.token_caches as { confirmed: boolean; acknowledged: { pid: number }[]; lease_expired: { pid: number; app: string; silent_ms: number }[]; unconfirmed: unknown[] };
    expect(tokenCaches.confirmed).toBe(true);
    expect(tokenCaches.acknowledged.map((p) => p.pid).sort()).toEqual([second.child.pid, oauth.child.pid].sort());
    expect(tokenCaches.lease_expired).toEqual([expect.objectContaining({ app: 'jira-api', pid: first.child.pid })]);
    expect(tokenCaches.lease_expired[0].silent_ms).toBeGreaterThanOrEqual(LEASE_MS);
    expect(tokenCaches.unconfirmed).toEqual([]);

    // Calls to the frozen process that started after the answer were handled once it woke up: refused too.
    expect(after.length).toBeGreaterThanOrEqual(CALLS_AFTER_ANSWER);
    expect(after.filter((c) => c.app === 'first').length).toBeGreaterThanOrEqual(100);
    expect(after.filter((c) => c.status === 200)).toEqual([]);
    expect(new Set(after.map((c) => `${c.status} ${c.code}`))).toEqual(new Set(['410 installation_revoked']));
  }, 180_000);
});
