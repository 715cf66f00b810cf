import { HealthEventOutbox } from '@bot/health-events';
import { AppProcess, createTestDatabase, newEncryptionKey, RecordingReceiver, startAppProcess, startRecordingReceiver, TEST_ADMIN_API_KEY, TestDatabase, WORKSPACE_ROOT } from '@bot/testing';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createHealthEventReceiver, ReceivedHealthEvent, verifyHealthEvent } from './health-event-receiver';

const SECRET = 'receiver-test-secret-0123456789';

/** The Node.js verification snippet of docs/events.md, as a function. */
function documentedVerifier(): (secret: string, rawBody: Buffer, headers: Record<string, unknown>) => Record<string, unknown> {
  const doc = readFileSync(join(WORKSPACE_ROOT, 'docs', 'events.md'), 'utf8');
  const code = /<!-- verification-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!code) throw new Error('docs/events.md has no verification snippet');
  return new Function('require', `${code}\nreturn verifyHealthEvent;`)(require);
}

describe('the example health event receiver (tools/events) and the documented verification', () => {
  let database: TestDatabase;
  let pool: Pool;
  let app: AppProcess;
  let server: Server;
  let raw: RecordingReceiver;
  let rawSecret: string;
  const received: ReceivedHealthEvent[] = [];
  const refused: string[] = [];
  let receiverUrl: string;

  beforeAll(async () => {
    server = createHealthEventReceiver({ secret: SECRET, onEvent: (event) => received.push(event), onRefused: (reason) => refused.push(reason) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    raw = await startRecordingReceiver();
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 2 });
    // An idle connection the server closes (a shared server restarting a backend) must not crash the file.
    pool.on('error', () => undefined);
    app = await startAppProcess('oauth-service', {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      EVENT_WEBHOOK_URLS: receiverUrl,
      EVENT_WEBHOOK_SECRET: SECRET,
    });
    // A second endpoint that records the raw deliveries, registered through the admin API with its own secret.
    const created = await fetch(`${app.url}/oauth/event-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${raw.url}/raw` }),
    });
    rawSecret = ((await created.json()) as { endpoint: { secret: string } }).endpoint.secret;
    await new HealthEventOutbox().append(pool, {
      type: 'installation.needs_reinstall',
      installation: { id: '7f1b0d0a-2a36-4f43-8b8f-3f4c4f3f1a22', platform: 'slack', externalOrgId: 'T0RECEIVER', externalOrgName: 'Receiver Inc' },
      data: { reason: 'invalid_refresh_token' },
    });
    await raw.waitFor(1);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await pool?.end();
    await database?.drop();
    await raw?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('receives a real delivery from oauth-service, verified, exactly once', () => {
    expect(refused).toEqual([]);
    expect(received).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'installation.needs_reinstall',
        occurred_at: expect.any(String),
        sent_at: expect.any(String),
        platform: 'slack',
        installation_id: '7f1b0d0a-2a36-4f43-8b8f-3f4c4f3f1a22',
        org: { id: 'T0RECEIVER', name: 'Receiver Inc' },
        data: { reason: 'invalid_refresh_token' },
      },
    ]);
  });

  it('the documented snippet and the receiver verify a real delivery, and refuse a tampered one', () => {
    const [delivery] = raw.requests;
    const verify = documentedVerifier();
    expect(verify(rawSecret, delivery.body, delivery.headers)).toMatchObject({ id: delivery.headers['x-event-id'], type: 'installation.needs_reinstall' });
    expect(verifyHealthEvent(rawSecret, delivery.body, delivery.headers)).toMatchObject({ ok: true });

    const tampered = Buffer.from(delivery.body.toString().replace('Receiver Inc', 'Evil Inc'));
    expect(() => verify(rawSecret, tampered, delivery.headers)).toThrow('bad signature');
    expect(() => verify('another-secret-entirely', delivery.body, delivery.headers)).toThrow('bad signature');
    expect(() => verify(rawSecret, delivery.body, { ...delivery.headers, 'x-signature-256': undefined })).toThrow('bad signature');
    expect(verifyHealthEvent(rawSecret, tampered, delivery.headers)).toEqual({ ok: false, status: 401, reason: 'bad or missing X-Signature-256' });
  });

  it('refuses a correctly signed but stale delivery (a replay)', () => {
    const [delivery] = raw.requests;
    const stale = Buffer.from(JSON.stringify({ ...JSON.parse(delivery.body.toString()), sent_at: new Date(Date.now() - 10 * 60_000).toISOString() }));
    const headers = { ...delivery.headers, 'x-signature-256': `sha256=${createHmac('sha256', rawSecret).update(stale).digest('hex')}` };
    expect(() => documentedVerifier()(rawSecret, stale, headers)).toThrow('stale delivery');
    expect(verifyHealthEvent(rawSecret, stale, headers)).toMatchObject({ ok: false, status: 401 });
  });

  it('the receiver acknowledges a redelivery without handling it twice, and answers 401 to a forgery', async () => {
    const body = Buffer.from(JSON.stringify({ ...received[0], sent_at: new Date().toISOString() }));
    const post = (signature: string) =>
      fetch(receiverUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-256': signature }, body });
    expect((await post(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`)).status).toBe(204);
    expect(received).toHaveLength(1);
    expect((await post('sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(refused).toEqual(['bad or missing X-Signature-256']);
  });
});
