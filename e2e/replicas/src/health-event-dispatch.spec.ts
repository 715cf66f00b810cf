import { createDataSource } from '@bot/database';
import { InstallationRepository } from '@bot/installations';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, buildInstallation, createTestDatabase, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TestDatabase, testConfig } from '@bot/testing';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';

const SECRET = 'replicas-event-webhook-secret';
/** Installations revoked, each one `installation.revoked` event. */
const N = 40;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One verified delivery, as the receiver saw it. */
interface Received {
  id: string;
  headerId: string | undefined;
  type: string;
  installationId: string | null;
}

/**
 * An operator's endpoint on a free loopback port: verifies each delivery as docs/events.md tells receivers to
 * (HMAC-SHA256 of the raw body in constant time, `sent_at` within 5 minutes), records every verified one
 * (repeats included: counting them is the point) and answers 204; anything unverified is refused with 401.
 */
async function startVerifyingReceiver(secret: string): Promise<{ url: string; received: Received[]; refused: string[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const refused: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
      const given = Buffer.from(String(request.headers['x-signature-256'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        refused.push('bad signature');
        response.writeHead(401).end();
        return;
      }
      const event = JSON.parse(rawBody.toString('utf8')) as { id: string; type: string; sent_at: string; installation_id: string | null };
      if (!(Math.abs(Date.now() - Date.parse(event.sent_at)) / 1000 <= 300)) {
        refused.push(`stale sent_at ${event.sent_at}`);
        response.writeHead(401).end();
        return;
      }
      received.push({ id: event.id, headerId: request.headers['x-event-id'] as string | undefined, type: event.type, installationId: event.installation_id });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    refused,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Every oauth-service replica runs a health-event dispatcher; they share the outbox by claiming deliveries with
 * SKIP LOCKED. Two OS processes on one PostgreSQL, one endpoint: each event reaches it once.
 */
describe('health-event dispatchers of two oauth-service processes', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let dataSource: DataSource;
  let receiver: Awaited<ReturnType<typeof startVerifyingReceiver>>;
  let pair: AppProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    receiver = await startVerifyingReceiver(SECRET);
    dataSource = await createDataSource(database.url, testConfig('oauth-service', { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey }), 2).initialize();
    const env = {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: encryptionKey,
      BASE_URL: 'http://127.0.0.1:9',
      EVENT_WEBHOOK_URLS: `${receiver.url}/events`,
      EVENT_WEBHOOK_SECRET: SECRET,
      ...sandbox.envOf('slack'),
    };
    pair = await Promise.all([startAppProcess('oauth-service', env, 120_000), startAppProcess('oauth-service', env, 120_000)]);
  }, 300_000);
  afterAll(async () => {
    await Promise.all(pair.map((app) => app.stop()));
    await dataSource?.destroy();
    await receiver?.close();
    await sandbox?.stop();
    await database?.drop();
  });

  it(`${N} installations revoked through both processes at once, claims slow enough to overlap → the endpoint gets each event id exactly once, every delivery delivered at its first attempt`, async () => {
    const installations = new InstallationRepository(dataSource);
    const rows = [];
    for (let i = 0; i < N; i++) {
      const team = `T0EVT${randomBytes(4).toString('hex').toUpperCase()}`;
      const token = sandbox.slack.grantBotToken(team);
      rows.push(await installations.insert(buildInstallation({ platform: 'slack', externalOrgId: team, externalInstallId: null, accessToken: token.accessToken, tokenExpiresAt: null })));
    }
    // Only the revokes below write events; the inserts above (straight into the table) write none.
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM health_events`)).toEqual([{ n: 0 }]);

    // A loaded database: each claimed row takes 20 ms to update, so a claim holds its rows for a while and the two
    // dispatchers' claims overlap (on an idle database a claim lasts about a millisecond and they rarely do). Only
    // the row locks of the claim keep the other dispatcher off those rows then; in this test's own database.
    await dataSource.query(`CREATE FUNCTION test_slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$`);
    await dataSource.query(
      `CREATE TRIGGER test_slow_claim BEFORE UPDATE ON health_event_deliveries FOR EACH ROW
       WHEN (OLD.status = 'pending' AND NEW.status = 'delivering') EXECUTE FUNCTION test_slow_claim()`,
    );

    const answers = await Promise.all(
      rows.map((row, i) => fetch(`${pair[i % 2].url}/oauth/installations/${row.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(N).fill(200));

    const settled = async () =>
      ((await dataSource.query(`SELECT count(*)::int AS n FROM health_event_deliveries WHERE status = 'delivered'`)) as { n: number }[])[0].n === N &&
      receiver.received.length >= N;
    const deadline = Date.now() + 60_000;
    // A refused delivery (bad signature) would be retried only seconds later: stop waiting and show it below.
    while (receiver.refused.length === 0 && !(await settled())) {
      if (Date.now() > deadline) throw new Error(`not all delivered within 60 s: ${receiver.received.length} received, ${JSON.stringify(await dataSource.query(`SELECT status, count(*)::int AS n FROM health_event_deliveries GROUP BY status`))}`);
      await sleep(200);
    }
    // Both dispatchers poll and wake on every append: give a second sender of any event time to show up.
    await sleep(2_000);

    expect(receiver.refused).toEqual([]);
    const events = (await dataSource.query(`SELECT id, type, installation_id FROM health_events ORDER BY id`)) as { id: string; type: string; installation_id: string }[];
    expect(events).toHaveLength(N);
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['installation.revoked']));
    expect(events.map((event) => event.installation_id).sort()).toEqual(rows.map((row) => row.id).sort());

    // Exactly once: N deliveries, N distinct ids, the very ids of the outbox; none came twice.
    const ids = receiver.received.map((delivery) => delivery.id);
    const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(repeated).toEqual([]);
    expect(ids).toHaveLength(N);
    expect([...ids].sort()).toEqual(events.map((event) => event.id).sort());
    for (const delivery of receiver.received) expect(delivery.headerId).toBe(delivery.id);

    const deliveries = (await dataSource.query(`SELECT status, attempts, last_status, locked_by FROM health_event_deliveries`)) as {
      status: string;
      attempts: number;
      last_status: number;
      locked_by: string;
    }[];
    expect(deliveries).toHaveLength(N);
    expect(deliveries.filter((delivery) => delivery.status !== 'delivered' || delivery.attempts !== 1 || delivery.last_status !== 204)).toEqual([]);
    // The work was shared: deliveries were claimed by the dispatchers of both processes (locked_by is host:pid:…).
    const pids = new Set(deliveries.map((delivery) => Number(/:(\d+):[0-9a-f]+$/.exec(delivery.locked_by)?.[1])));
    expect(pids).toEqual(new Set(pair.map((app) => app.child.pid)));
  }, 180_000);
});
