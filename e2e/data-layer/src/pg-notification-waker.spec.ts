import { PgNotificationWaker } from '@bot/database';
import { createTestDatabase, TestDatabase, withClient } from '@bot/testing';

const CHANNEL = 'waker_test';

/** The LISTEN connection that wakes the webhook consumers and the health-event dispatcher, on a real PostgreSQL. */
describe('PgNotificationWaker', () => {
  let database: TestDatabase;
  let waker: PgNotificationWaker;
  const lost: string[] = [];
  const notify = (payload = '') => withClient(database.url, (client) => client.query(`SELECT pg_notify($1, $2)`, [CHANNEL, payload]));
  const timed = async (wait: Promise<void>) => {
    const started = Date.now();
    await wait;
    return Date.now() - started;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());
  beforeEach(async () => {
    lost.length = 0;
    waker = new PgNotificationWaker({
      databaseUrl: database.url,
      applicationName: 'waker-test:listen',
      channel: CHANNEL,
      accept: (payload) => payload !== 'other-queue',
      onLost: (reason) => lost.push(reason),
    });
    await waker.connect();
  });
  afterEach(async () => {
    waker.stop();
    await waker.close();
  });

  it('a notification cuts a sleep short; one that arrived during the round ends the next sleep at once', async () => {
    waker.beginRound();
    const sleeping = waker.sleep(10_000);
    await notify();
    expect(await timed(sleeping)).toBeLessThan(2_000);

    waker.beginRound();
    await notify();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waker.notified).toBe(true);
    expect(await timed(waker.sleep(10_000))).toBeLessThan(1_000);
  });

  it('a notification the filter refuses does not wake; without one the sleep lasts its time', async () => {
    waker.beginRound();
    const sleeping = waker.sleep(600);
    await notify('other-queue');
    expect(await timed(sleeping)).toBeGreaterThanOrEqual(550);
  });

  it('reports a lost connection and opens it again within about a second, and then wakes again', async () => {
    const killed = await withClient(database.url, (client) =>
      client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'waker-test:listen' AND datname = current_database()`),
    );
    expect(killed.rowCount).toBe(1);
    const deadline = Date.now() + 10_000;
    const listening = () =>
      withClient(database.url, (client) =>
        client.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'waker-test:listen' AND datname = current_database()`),
      ).then((result) => result.rowCount === 1);
    while (lost.length === 0 || !(await listening())) {
      if (Date.now() > deadline) throw new Error(`not reconnected; lost: ${JSON.stringify(lost)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(lost).toHaveLength(1);
    waker.beginRound();
    const sleeping = waker.sleep(10_000);
    await notify();
    expect(await timed(sleeping)).toBeLessThan(2_000);
  });

  it('stop ends a sleep in progress and every later one', async () => {
    waker.beginRound();
    const sleeping = waker.sleep(10_000);
    waker.stop();
    expect(await timed(sleeping)).toBeLessThan(1_000);
    expect(await timed(waker.sleep(10_000))).toBeLessThan(1_000);
  });
});
