import { createTestDatabase, newEncryptionKey, TestDatabase, TEST_ADMIN_API_KEY, TEST_SERVICE_API_KEY, tsEntryArgs, tsEntryEnv, WORKSPACE_ROOT } from '@bot/testing';
import { pgExecutor, WebhookTaskRepository } from '@bot/webhooks';
import { spawn } from 'node:child_process';
import { Pool } from 'pg';

/** The documented example consumer, run as a person runs it. */
describe('tools/webhooks/print-tasks.ts', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('prints each task as it arrives, marks it done, and stops cleanly on Ctrl-C', async () => {
    const tasks = new WebhookTaskRepository(pgExecutor(pool));
    const child = spawn(process.execPath, [...tsEntryArgs('tools/webhooks/print-tasks.ts'), '--queues=github,slack'], {
      cwd: WORKSPACE_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...tsEntryEnv(),
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
        ADMIN_API_KEY: TEST_ADMIN_API_KEY,
        SERVICE_API_KEY: TEST_SERVICE_API_KEY,
      },
      stdio: 'pipe',
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`expected ${pattern}; output:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    await waitFor(/waiting for tasks on github, slack/);
    const enqueued = await tasks.enqueue(
      { platform: 'github', eventType: 'issues', action: 'opened', deliveryId: 'print-1', payloadJson: '{"action":"opened"}', receivedAt: new Date() },
      { by: 'none' },
    );
    await tasks.notifyEnqueued('github');
    const id = (enqueued as { taskId: string }).taskId;
    await waitFor(new RegExp(`\\[task ${id}\\] github issues\\.opened delivery=print-1 installation=none`));
    const deadline = Date.now() + 10_000;
    while ((await tasks.findById(id))?.status !== 'done' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await tasks.findById(id))?.status).toBe('done');

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[consumer] stopped');
  }, 90_000);
});
