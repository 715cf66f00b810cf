import { createTestDatabase, freePort, newEncryptionKey, TestDatabase, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, tsEntryArgs, tsEntryEnv, WORKSPACE_ROOT } from '@bot/testing';
import { signHubSignature } from '@bot/webhooks';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { gatewayEnv, GITHUB_WEBHOOK_SECRET, githubExample } from './support/api-gateway.harness';

/** The gateway as an OS process (as `npm start` runs it), so it can be killed without any chance to clean up. */
describe('api-gateway killed with SIGKILL while deliveries are in flight', () => {
  let database: TestDatabase;
  let pool: Pool;
  let port: number;
  const encryptionKey = newEncryptionKey();

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 2 });
    port = await freePort();
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const start = async (): Promise<{ child: ChildProcess; output: () => string }> => {
    const child = spawn(process.execPath, tsEntryArgs('apps/api-gateway/src/main.ts'), {
      cwd: WORKSPACE_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...tsEntryEnv(),
        ...gatewayEnv(database.url),
        NODE_ENV: 'test',
        PORT: String(port),
        TOKEN_ENCRYPTION_KEY: encryptionKey,
        ADMIN_API_KEY: TEST_ADMIN_API_KEY,
        SERVICE_API_KEY: TEST_SERVICE_API_KEY,
        LOG_LEVEL: 'error',
      },
      stdio: 'pipe',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((response) => response.status === 200, () => false);
      if (ready) return { child, output: () => output };
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the gateway did not become ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const deliver = (deliveryId: string, body: string) =>
    fetch(`http://127.0.0.1:${port}/webhooks/github`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': deliveryId, 'x-hub-signature-256': signHubSignature(GITHUB_WEBHOOK_SECRET, body) },
    });

  it('every delivery that was answered 2xx is in the queue, exactly once, after a restart', async () => {
    const first = await start();
    const payload = githubExample('issues', 'opened');
    const deliveries = Array.from({ length: 2000 }, () => randomUUID());
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;

    // Eight clients sending one delivery after another; the kill lands while several requests are open.
    const client = async () => {
      while (next < deliveries.length && !killed) {
        const deliveryId = deliveries[next++];
        const response = await deliver(deliveryId, JSON.stringify({ ...payload, delivery: deliveryId })).catch(() => null);
        if (response && response.status >= 200 && response.status < 300) acknowledged.push(deliveryId);
        if (!killed && acknowledged.length >= 150) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    await Promise.all(Array.from({ length: 8 }, client));
    await exited;
    expect(killed).toBe(true);

    const stored = new Set((await pool.query<{ delivery_id: string }>(`SELECT delivery_id FROM webhook_tasks`)).rows.map((row) => row.delivery_id));
    const lost = acknowledged.filter((deliveryId) => !stored.has(deliveryId));
    expect(lost).toEqual([]);

    // GitHub redelivers what was not acknowledged (and sometimes what was): after a restart each ends up queued once.
    const second = await start();
    try {
      const attempted = deliveries.slice(0, next);
      for (const deliveryId of attempted) {
        const response = await deliver(deliveryId, JSON.stringify({ ...payload, delivery: deliveryId }));
        expect(response.status).toBe(200);
      }
      const { rows } = await pool.query<{ count: string; distinct: string }>(`SELECT count(*) AS count, count(DISTINCT delivery_id) AS distinct FROM webhook_tasks`);
      expect(rows[0]).toEqual({ count: String(attempted.length), distinct: String(attempted.length) });
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 180_000);
});
