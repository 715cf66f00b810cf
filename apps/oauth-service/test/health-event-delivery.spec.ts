import { HealthEventOutbox } from '@bot/health-events';
import { createTestDatabase, newEncryptionKey, RecordingReceiver, startAppProcess, startRecordingReceiver, TEST_ADMIN_API_KEY } from '@bot/testing';
import { createHmac } from 'node:crypto';
import { Pool } from 'pg';
import { signIn } from './support/console.harness';
import { json, OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

const SECRET = 'event-webhook-secret-for-tests';
const subject = (name: string) => ({ id: '0b6b3c8e-6a53-4f3c-9d1f-6f0a3b8f1a11', platform: 'jira', externalOrgId: `cloud-${name}`, externalOrgName: `${name}.atlassian.net` });

/** Appends one event in its own committed transaction, as a flow would. */
async function appendEvent(h: OAuthServiceHarness, name: string, type: 'installation.needs_reinstall' | 'token.refresh_failed' = 'installation.needs_reinstall'): Promise<string> {
  await new HealthEventOutbox().append({ query: (sql, params) => h.sql(sql, params) }, { type, installation: subject(name), data: { reason: `${name} broke` } });
  const [row] = await h.sql<{ id: string }>(`SELECT id FROM health_events WHERE org_id = $1`, [`cloud-${name}`]);
  return row.id;
}

const sign = (secret: string, body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('health event delivery', () => {
  let h: OAuthServiceHarness;
  let receiver: RecordingReceiver;

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    h = await startOAuthService({
      EVENT_WEBHOOK_URLS: `${receiver.url}/hooks`,
      EVENT_WEBHOOK_SECRET: SECRET,
      EVENT_WEBHOOK_RETRY_BASE_MS: '50',
      EVENT_WEBHOOK_TIMEOUT_MS: '2000',
    });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await receiver.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answers = [];
    receiver.fallback = { status: 200 };
  });

  it('a receiver failing twice then succeeding gets the event once, signed, with three attempts recorded', async () => {
    receiver.answers = [{ status: 500 }, { status: 503 }];
    const id = await appendEvent(h, 'flaky');
    const requests = await receiver.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/hooks');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-event-id']).toBe(id);
      expect(request.headers['x-event-type']).toBe('installation.needs_reinstall');
      expect(request.headers['x-signature-256']).toBe(sign(SECRET, request.body));
      const body = JSON.parse(request.body.toString());
      expect(body).toEqual({
        id,
        type: 'installation.needs_reinstall',
        occurred_at: expect.any(String),
        sent_at: expect.any(String),
        platform: 'jira',
        installation_id: subject('flaky').id,
        org: { id: 'cloud-flaky', name: 'flaky.atlassian.net' },
        data: { reason: 'flaky broke' },
      });
      expect(Number(request.headers['x-event-timestamp'])).toBe(Math.floor(Date.parse(body.sent_at) / 1000));
    }
    const deliveries = await h.sql(`SELECT status, attempts, last_status FROM health_event_deliveries d JOIN health_events e ON e.id = d.event_id WHERE e.id = $1`, [id]);
    expect(deliveries).toEqual([{ status: 'delivered', attempts: 3, last_status: 200 }]);
  });

  it('every endpoint gets every event, each signed with its own secret; the secret is shown once', async () => {
    const second = await startRecordingReceiver();
    try {
      const created = await fetch(`${h.url}/oauth/event-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${second.url}/events`, description: 'pager' }),
      });
      expect(created.status).toBe(201);
      const { endpoint } = await json(created);
      expect(endpoint).toEqual({ id: expect.any(String), url: `${second.url}/events`, source: 'api', description: 'pager', created_at: expect.any(String), secret: expect.stringMatching(/^whsec_[\w-]{43}$/) });
      const listed = await json(h.admin('GET', '/oauth/event-endpoints'));
      expect(JSON.stringify(listed)).not.toContain(endpoint.secret);
      expect(listed.endpoints.map((e: { source: string; url: string }) => [e.source, e.url])).toEqual([
        ['env', `${receiver.url}/hooks`],
        ['api', `${second.url}/events`],
      ]);
      const [stored] = await h.sql<{ secret: string }>('SELECT secret FROM health_event_endpoints WHERE id = $1', [endpoint.id]);
      expect(stored.secret).toMatch(/^enc:v1:/);

      const id = await appendEvent(h, 'both');
      const [viaEnv] = await receiver.waitFor(1);
      const [viaApi] = await second.waitFor(1);
      expect(viaEnv.headers['x-event-id']).toBe(id);
      expect(viaApi.headers['x-event-id']).toBe(id);
      expect(viaEnv.headers['x-signature-256']).toBe(sign(SECRET, viaEnv.body));
      expect(viaApi.headers['x-signature-256']).toBe(sign(endpoint.secret, viaApi.body));

      expect((await h.admin('DELETE', `/oauth/event-endpoints/${endpoint.id}`)).status).toBe(200);
      expect((await h.admin('DELETE', `/oauth/event-endpoints/${endpoint.id}`)).status).toBe(404);
      const envId = listed.endpoints[0].id;
      const refused = await h.admin('DELETE', `/oauth/event-endpoints/${envId}`);
      expect(refused.status).toBe(409);
      expect((await json(refused)).message).toContain('EVENT_WEBHOOK_URLS');
    } finally {
      await second.close();
    }
  });

  it('refuses endpoint URLs that are not http(s), carry credentials or are registered already', async () => {
    const post = (body: unknown) =>
      fetch(`${h.url}/oauth/event-endpoints`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const url of ['ftp://example.com/x', 'https://user:pass@example.com/x', 'not a url', '']) {
      const response = await post({ url });
      expect([url, response.status]).toEqual([url, 400]);
      expect(JSON.stringify(await json(response))).toContain('url must be an http(s) URL without credentials');
    }
    const duplicate = await post({ url: `${receiver.url}/hooks` });
    expect(duplicate.status).toBe(409);
    expect(await h.sql(`SELECT count(*)::int AS n FROM health_event_endpoints`)).toEqual([{ n: 1 }]);
  });

  it('marks a delivery failed once its 24 hours are over, shows it in the console, and a retry delivers it', async () => {
    receiver.fallback = { status: 502 };
    const id = await appendEvent(h, 'down', 'token.refresh_failed');
    await receiver.waitFor(1);
    // As if the receiver had been failing for a day.
    await h.sql(`UPDATE health_event_deliveries SET retry_until = now() - interval '1 second', created_at = now() - interval '24 hours' WHERE event_id = $1`, [id]);
    const deadline = Date.now() + 10_000;
    let rows: { status: string; last_error: string }[] = [];
    while (Date.now() < deadline) {
      rows = await h.sql(`SELECT status, last_error FROM health_event_deliveries WHERE event_id = $1`, [id]);
      if (rows[0]?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ status: 'failed', last_error: 'HTTP 502 Bad Gateway' }]);

    const operator = await signIn(h);
    const page = await (await operator.get('/admin/events')).text();
    expect(page).toContain('token.refresh_failed');
    expect(page).toContain(id);
    expect(page).toContain('HTTP 502 Bad Gateway');
    const [delivery] = await h.sql<{ id: string }>(`SELECT id::text FROM health_event_deliveries WHERE event_id = $1`, [id]);

    receiver.fallback = { status: 204 };
    const before = receiver.requests.length;
    const retried = await operator.post(`/admin/events/deliveries/${delivery.id}/retry`);
    expect(retried.headers.get('location')).toBe('/admin/events?status=failed&notice=retried');
    await receiver.waitFor(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await h.sql(`SELECT status FROM health_event_deliveries WHERE id = $1`, [delivery.id])).toEqual([{ status: 'delivered' }]);
    expect((await operator.post(`/admin/events/deliveries/${delivery.id}/retry`)).headers.get('location')).toContain('notice=not_failed');
  });
});

describe('health event dispatcher killed mid-delivery', () => {
  it('loses nothing: after a restart the event is delivered, with the same id', async () => {
    const database = await createTestDatabase();
    const receiver = await startRecordingReceiver();
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    const env = {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      EVENT_WEBHOOK_URLS: `${receiver.url}/hooks`,
      EVENT_WEBHOOK_SECRET: SECRET,
      EVENT_WEBHOOK_TIMEOUT_MS: '1000',
      EVENT_WEBHOOK_RETRY_BASE_MS: '50',
    };
    let first = await startAppProcess('oauth-service', env);
    try {
      receiver.answers = ['hang'];
      await new HealthEventOutbox().append(pool, { type: 'installation.revoked', installation: subject('killed'), data: { reason: 'test' } });
      const [held] = await receiver.waitFor(1);
      expect(await pool.query(`SELECT status FROM health_event_deliveries`).then((r) => r.rows)).toEqual([{ status: 'delivering' }]);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));

      first = await startAppProcess('oauth-service', env);
      const requests = await receiver.waitFor(2, 30_000);
      expect(requests[1].headers['x-event-id']).toBe(held.headers['x-event-id']);
      expect(JSON.parse(requests[1].body.toString()).id).toBe(JSON.parse(held.body.toString()).id);
      const deadline = Date.now() + 5000;
      let rows: unknown[] = [];
      while (Date.now() < deadline) {
        rows = (await pool.query(`SELECT status, attempts FROM health_event_deliveries`)).rows;
        if ((rows[0] as { status: string }).status === 'delivered') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(rows).toEqual([{ status: 'delivered', attempts: 2 }]);
    } finally {
      await first.stop();
      await pool.end();
      await receiver.close();
      await database.drop();
    }
  }, 90_000);
});
