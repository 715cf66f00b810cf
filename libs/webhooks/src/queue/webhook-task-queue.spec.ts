import { createTestDatabase, TestDatabase } from '@bot/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { pgExecutor } from './sql-executor';
import { NewWebhookTask, WebhookTask } from './webhook-task';
import { ConsumerEvent, exponentialBackoff, WebhookTaskConsumer } from './webhook-task.consumer';
import { WebhookTaskRepository } from './webhook-task.repository';

describe('webhook task queue (PostgreSQL)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let tasks: WebhookTaskRepository;
  const consumers: WebhookTaskConsumer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 4 });
    tasks = new WebhookTaskRepository(pgExecutor(pool));
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    await pool.query('DELETE FROM webhook_tasks');
    await pool.query('DELETE FROM health_events');
  });
  const deadLetterEvents = async () =>
    (await pool.query(`SELECT type, platform, installation_id, org_id, org_name, data FROM health_events WHERE type = 'webhook.dead_lettered' ORDER BY occurred_at`)).rows;
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const task = (overrides: Partial<NewWebhookTask> = {}): NewWebhookTask => ({
    platform: 'github',
    eventType: 'issues',
    action: 'opened',
    deliveryId: randomUUID(),
    payloadJson: JSON.stringify({ action: 'opened', installation: { id: 1 } }),
    receivedAt: new Date(),
    ...overrides,
  });
  const statusOf = async (id: string) => (await tasks.findById(id))?.status;
  const consume = (handler: (task: WebhookTask) => Promise<void>, options: { events?: ConsumerEvent[]; queues?: ('github' | 'slack' | 'jira')[]; retryDelayMs?: (attempt: number) => number; pollIntervalMs?: number } = {}) => {
    const consumer = new WebhookTaskConsumer({
      databaseUrl: database.url,
      queues: options.queues ?? ['github'],
      handler,
      pollIntervalMs: options.pollIntervalMs ?? 100,
      retryDelayMs: options.retryDelayMs ?? (() => 10),
      onEvent: (event) => options.events?.push(event),
    });
    consumers.push(consumer);
    return consumer;
  };
  const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('routes in the insert, returns the task, and turns a repeated delivery id into "duplicate"', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO installations (platform, external_org_id, external_install_id) VALUES ('github', '77', '700') RETURNING id`,
    );
    const first = await tasks.enqueue(task({ deliveryId: 'd-1' }), { by: 'external_install_id', value: '700' });
    expect(first).toEqual({ duplicate: false, taskId: expect.any(String), installationId: rows[0].id });
    expect(await tasks.enqueue(task({ deliveryId: 'd-1' }), { by: 'external_install_id', value: '700' })).toEqual({ duplicate: true });
    // The same delivery id on another platform is another delivery.
    expect(await tasks.enqueue(task({ deliveryId: 'd-1', platform: 'slack' }), { by: 'none' })).toMatchObject({ duplicate: false, installationId: null });
    const stored = await tasks.findById((first as { taskId: string }).taskId);
    expect(stored).toMatchObject({ queue: 'github', externalOrgId: '77', externalInstallId: '700', status: 'pending', attempts: 0, maxAttempts: 10, payload: { action: 'opened', installation: { id: 1 } } });
    await pool.query(`DELETE FROM installations`);
  });

  it('never routes to a revoked installation; prefers the first matching org id', async () => {
    await pool.query(`INSERT INTO installations (platform, external_org_id, status, revoked_at) VALUES ('slack', 'T1', 'revoked', now())`);
    const { rows } = await pool.query<{ id: string; external_org_id: string }>(
      `INSERT INTO installations (platform, external_org_id) VALUES ('slack', 'E1'), ('slack', 'T2') RETURNING id, external_org_id`,
    );
    const byOrg = Object.fromEntries(rows.map((row) => [row.external_org_id, row.id]));
    expect(await tasks.enqueue(task({ platform: 'slack' }), { by: 'external_org_ids', values: ['T1'] })).toMatchObject({ installationId: null });
    expect(await tasks.enqueue(task({ platform: 'slack' }), { by: 'external_org_ids', values: ['E1', 'T2'] })).toMatchObject({ installationId: byOrg['E1'] });
    expect(await tasks.enqueue(task({ platform: 'slack' }), { by: 'external_org_ids', values: ['T2', 'E1'] })).toMatchObject({ installationId: byOrg['T2'] });
    await pool.query(`DELETE FROM installations`);
  });

  it('writes a batch in one statement: each row routed its own way, in order, duplicates within and across batches dropped', async () => {
    const { rows } = await pool.query<{ id: string; platform: string }>(
      `INSERT INTO installations (platform, external_org_id, external_install_id, metadata) VALUES
         ('github', '1', '100', '{}'), ('slack', 'T9', NULL, '{}'), ('jira', 'cloud-9', NULL, '{"url": "https://Acme.atlassian.net/"}')
       RETURNING id, platform`,
    );
    const idOf = Object.fromEntries(rows.map((row) => [row.platform, row.id]));
    await tasks.enqueue(task({ deliveryId: 'seen-before' }), { by: 'none' });
    const results = await tasks.enqueueMany([
      { task: task({ deliveryId: 'b-1' }), route: { by: 'external_install_id', value: '100' } },
      { task: task({ deliveryId: 'b-2', platform: 'slack' }), route: { by: 'external_org_ids', values: ['E0', 'T9'] } },
      { task: task({ deliveryId: 'b-3', platform: 'jira' }), route: { by: 'site_url', value: 'https://acme.atlassian.net' } },
      { task: task({ deliveryId: 'b-4', platform: 'jira' }), route: { by: 'installation_id', value: idOf['jira'] } },
      { task: task({ deliveryId: 'b-1' }), route: { by: 'external_install_id', value: '100' } },
      { task: task({ deliveryId: 'seen-before' }), route: { by: 'none' } },
      { task: task({ deliveryId: 'b-5' }), route: { by: 'external_install_id', value: 'unknown' } },
    ]);
    expect(results.map((result) => (result.duplicate ? 'duplicate' : result.installationId))).toEqual([
      idOf['github'],
      idOf['slack'],
      idOf['jira'],
      idOf['jira'],
      'duplicate',
      'duplicate',
      null,
    ]);
    const ids = results.filter((result) => !result.duplicate).map((result) => Number((result as { taskId: string }).taskId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await pool.query(`DELETE FROM installations`);
  });

  it('a consumer wakes on NOTIFY, hands over each task once and marks it done', async () => {
    const seen: WebhookTask[] = [];
    // Polling is a minute away: only the notification can wake the consumer in time.
    const consumer = consume(async (claimed) => void seen.push(claimed), { queues: ['github'], pollIntervalMs: 60_000 });
    await consumer.start();
    const enqueued = await tasks.enqueue(task(), { by: 'none' });
    const other = await tasks.enqueue(task({ platform: 'slack' }), { by: 'none' });
    await tasks.notifyEnqueued('github');
    const id = (enqueued as { taskId: string }).taskId;
    await until(async () => (await statusOf(id)) === 'done');
    expect(seen.map((claimed) => claimed.id)).toEqual([id]);
    expect(seen[0]).toMatchObject({ status: 'processing', attempts: 1, lockedBy: consumer.consumerId, eventType: 'issues' });
    // A consumer of the github queue leaves other queues alone.
    expect(await statusOf((other as { taskId: string }).taskId)).toBe('pending');
  });

  it('retries a failing task with backoff and dead-letters it after max_attempts', async () => {
    const events: ConsumerEvent[] = [];
    let calls = 0;
    const { taskId } = (await tasks.enqueue(task({ maxAttempts: 3 }), { by: 'none' })) as { taskId: string };
    const consumer = consume(
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      { events },
    );
    await consumer.start();
    await until(async () => (await statusOf(taskId)) === 'dead');
    expect(calls).toBe(3);
    expect(events.map((event) => event.kind)).toEqual(['retry', 'retry', 'dead']);
    expect(await tasks.findById(taskId)).toMatchObject({ status: 'dead', attempts: 3, lastError: 'boom 3', lockedUntil: null });
    // Dead-lettering emits one health event, in the transaction that marks the task dead; the retries emit none.
    expect(await deadLetterEvents()).toEqual([
      {
        type: 'webhook.dead_lettered',
        platform: 'github',
        installation_id: null,
        org_id: null,
        org_name: null,
        data: { task_id: taskId, queue: 'github', event_type: 'issues', action: 'opened', delivery_id: expect.any(String), attempts: 3, last_error: 'boom 3' },
      },
    ]);

    // After the cause is fixed an operator puts it back; it then succeeds.
    expect(await tasks.requeueDead(taskId)).toBe(true);
    await consumer.stop();
    const healed = consume(async () => undefined);
    await healed.start();
    await until(async () => (await statusOf(taskId)) === 'done');
  });

  it('a task that failed once succeeds on its retry', async () => {
    let calls = 0;
    const { taskId } = (await tasks.enqueue(task(), { by: 'none' })) as { taskId: string };
    await consume(async () => {
      if (++calls === 1) throw new Error('transient');
    }).start();
    await until(async () => (await statusOf(taskId)) === 'done');
    expect(await tasks.findById(taskId)).toMatchObject({ attempts: 2, lastError: null });
  });

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4].map((attempt) => exponentialBackoff(attempt))).toEqual([1000, 2000, 4000, 8000]);
    expect(exponentialBackoff(30)).toBe(10 * 60 * 1000);
  });

  it('claims with SKIP LOCKED: concurrent consumers never get the same task', async () => {
    for (let i = 0; i < 60; i++) await tasks.enqueue(task(), { by: 'none' });
    const claims = await Promise.all(Array.from({ length: 6 }, (_, n) => tasks.claim(['github'], `consumer-${n}`, 15, 60_000)));
    const ids = claims.flat().map((claimed) => claimed.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });

  it('releases a claim whose consumer died once the lock expires; a lost claim cannot complete', async () => {
    const { taskId } = (await tasks.enqueue(task({ maxAttempts: 2 }), { by: 'none' })) as { taskId: string };
    expect(await tasks.claim(['github'], 'crashed', 10, 1)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await tasks.releaseExpired(['github'])).toBe(1);
    expect(await tasks.findById(taskId)).toMatchObject({ status: 'pending', attempts: 1 });
    const [reclaimed] = await tasks.claim(['github'], 'survivor', 10, 60_000);
    expect(reclaimed).toMatchObject({ id: taskId, attempts: 2, lockedBy: 'survivor' });
    expect(await tasks.complete(taskId, 'crashed')).toBe(false);
    expect(await tasks.complete(taskId, 'survivor')).toBe(true);

    // An expired claim on the last attempt is dead-lettered rather than run again.
    const last = (await tasks.enqueue(task({ maxAttempts: 1 }), { by: 'none' })) as { taskId: string };
    await tasks.claim(['github'], 'crashed', 10, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await tasks.releaseExpired(['github']);
    expect(await statusOf(last.taskId)).toBe('dead');
    expect((await deadLetterEvents()).map((event) => event.data.task_id)).toEqual([last.taskId]);
  });

  it('a dead letter of a routed task names its installation and org', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO installations (platform, external_org_id, external_org_name, external_install_id) VALUES ('github', '77', 'octo-dead', '9001') RETURNING id`,
    );
    const { taskId } = (await tasks.enqueue(task({ maxAttempts: 1 }), { by: 'external_install_id', value: '9001' })) as { taskId: string };
    await tasks.claim(['github'], 'worker', 10, 60_000);
    expect(await tasks.fail(taskId, 'worker', 'handler exploded', 10)).toBe('dead');
    expect(await tasks.fail(taskId, 'worker', 'again', 10)).toBeNull();
    expect(await deadLetterEvents()).toEqual([
      expect.objectContaining({ platform: 'github', installation_id: rows[0].id, org_id: '77', org_name: 'octo-dead', data: expect.objectContaining({ task_id: taskId, last_error: 'handler exploded' }) }),
    ]);
  });
});
