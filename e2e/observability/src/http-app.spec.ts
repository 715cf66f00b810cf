import { AppConfigModule } from '@bot/config';
import { LogCapture, scrapeMetrics, startTestApp, RunningTestApp, TEST_ADMIN_API_KEY, testConfig } from '@bot/testing';
import { Body, Controller, DynamicModule, Get, Module, Param, Post } from '@nestjs/common';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

@Controller('items')
class ItemsController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  create(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return body;
  }

  @Get(':id/broken')
  broken(): never {
    throw new Error('a bug of ours');
  }
}

const appModule = (env: Record<string, string> = {}): { module: DynamicModule; config: ReturnType<typeof testConfig> } => {
  const config = testConfig('oauth-service', { LOG_FORMAT: 'json', ...env });
  @Module({ controllers: [ItemsController] })
  class ItemsModule {}
  return { module: { module: ItemsModule, imports: [AppConfigModule.forRoot(config)] }, config };
};

async function start(env: Record<string, string> = {}): Promise<{ app: RunningTestApp; log: LogCapture }> {
  const log = new LogCapture();
  const { module, config } = appModule(env);
  return { app: await startTestApp(module, config, 0, { logDestination: log }), log };
}

/** Sends raw bytes and hangs up before the declared body is complete. */
async function sendAndHangUp(url: string, head: string, partialBody: string): Promise<void> {
  const { port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head + partialBody);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
    socket.on('error', reject);
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('createHttpApp: request log, X-Request-Id and /metrics', () => {
  let running: RunningTestApp;
  let log: LogCapture;

  beforeAll(async () => {
    ({ app: running, log } = await start());
  });
  afterAll(() => running.close());

  it('writes one JSON line per request with the route pattern (not the path), status, duration and request id', async () => {
    const response = await fetch(`${running.url}/items/abc-123?secret=1`);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await settle();
    const [line] = log.find({ reqId: requestId });
    expect(line).toMatchObject({ level: 'info', msg: 'request completed', app: 'oauth-service', method: 'GET', route: '/items/:id', status: 200 });
    expect(typeof line['durationMs']).toBe('number');
    expect(typeof line['time']).toBe('string');
    expect(log.text()).not.toContain('abc-123');
  });

  it("keeps the caller's X-Request-Id and answers with it; replaces one that is not plain", async () => {
    const kept = await fetch(`${running.url}/items/1`, { headers: { 'x-request-id': 'agent-run-42.step:7' } });
    expect(kept.headers.get('x-request-id')).toBe('agent-run-42.step:7');
    const replaced = await fetch(`${running.url}/items/1`, { headers: { 'x-request-id': '{"level":"error"}' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await settle();
    expect(log.find({ reqId: 'agent-run-42.step:7', route: '/items/:id' })).toHaveLength(1);
  });

  it('replaces a plain X-Request-Id shaped like a credential or equal to a configured secret, and never logs it', async () => {
    const jwtShaped = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlLXZhbHVl';
    const ids: string[] = [];
    for (const given of [jwtShaped, TEST_ADMIN_API_KEY]) {
      const response = await fetch(`${running.url}/items/1`, { headers: { 'x-request-id': given } });
      expect(response.status).toBe(200);
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(id);
    }
    await settle();
    for (const id of ids) expect(log.find({ reqId: id, route: '/items/:id' })).toHaveLength(1);
    expect(log.text()).not.toContain(jwtShaped);
    expect(log.text()).not.toContain(TEST_ADMIN_API_KEY);
  });

  it('logs a 404 under the route "unmatched" at info, and our own fault at error', async () => {
    const missing = await fetch(`${running.url}/nothing/here/42`);
    expect(missing.status).toBe(404);
    const broken = await fetch(`${running.url}/items/9/broken`);
    expect(broken.status).toBe(500);
    await settle();
    expect(log.find({ reqId: missing.headers.get('x-request-id') })[0]).toMatchObject({ level: 'info', route: 'unmatched', status: 404 });
    expect(log.find({ reqId: broken.headers.get('x-request-id') })[0]).toMatchObject({ level: 'error', route: '/items/:id/broken', status: 500 });
  });

  it('counts requests by route pattern, method and status class, with duration histograms and Node process metrics', async () => {
    const before = await scrapeMetrics(running.url);
    for (const id of ['a', 'b', 'c']) await fetch(`${running.url}/items/${id}`);
    await fetch(`${running.url}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken": ' });
    await settle();
    const after = await scrapeMetrics(running.url);
    const ok = { app: 'oauth-service', route: '/items/:id', method: 'GET', status_class: '2xx' };
    expect(after.value('bot_http_requests_total', ok) - before.value('bot_http_requests_total', ok)).toBe(3);
    expect(after.value('bot_http_request_duration_seconds_count', ok) - before.value('bot_http_request_duration_seconds_count', ok)).toBe(3);
    expect(after.value('bot_http_requests_total', { route: 'unmatched', method: 'POST', status_class: '4xx' })).toBeGreaterThanOrEqual(1);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_seconds_total']) expect(after.has(name)).toBe(true);
  });

  it('answers unreadable bodies with a 4xx naming the problem, logged without an error line or stack', async () => {
    const mark = log.raw.length;
    const post = (headers: Record<string, string>, body: string | Uint8Array) => fetch(`${running.url}/items`, { method: 'POST', headers, body });
    const charset = await post({ 'content-type': 'application/json; charset=klingon' }, '{"a":1}');
    expect(charset.status).toBe(415);
    expect(await charset.json()).toMatchObject({ message: expect.stringContaining('unsupported charset') });
    const encoding = await post({ 'content-type': 'application/json', 'content-encoding': 'compress' }, '{"a":1}');
    expect(encoding.status).toBe(415);
    const badGzip = await post({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'this is not gzip at all');
    expect(badGzip.status).toBe(400);
    const truncatedGzip = await post({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync('{"a": 1}').subarray(0, 12));
    expect(truncatedGzip.status).toBe(400);
    const notJson = await post({ 'content-type': 'application/json' }, '{"a": ');
    expect(notJson.status).toBe(400);
    const tooLarge = await post({ 'content-type': 'application/json' }, JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) }));
    expect(tooLarge.status).toBe(413);
    await sendAndHangUp(running.url, 'POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', '{"a": "only part of');
    await settle();

    const lines = log.lines().slice(mark);
    expect(lines.length).toBeGreaterThanOrEqual(7);
    expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(log.raw.slice(mark).join('')).not.toContain('"stack"');
    expect(log.find({ reqId: charset.headers.get('x-request-id') })[0]).toMatchObject({ level: 'info', status: 415, reason: expect.stringContaining('charset') });
    expect(log.find({ reqId: badGzip.headers.get('x-request-id') })[0]).toMatchObject({ level: 'info', status: 400, reason: expect.stringContaining('Content-Encoding') });
    expect(log.find({ aborted: true, route: 'unmatched' })[0]).toMatchObject({ level: 'info', reason: expect.stringContaining('aborted') });
  });
});

describe('createHttpApp: METRICS_TOKEN', () => {
  it('/metrics refuses a scrape without the bearer token or with a wrong one, and serves it with the token', async () => {
    const token = 'scrape-token-0123456789';
    const { app } = await start({ METRICS_TOKEN: token });
    try {
      const anonymous = await fetch(`${app.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      expect(await anonymous.text()).not.toContain('bot_http_requests_total');
      expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const scraped = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toContain('text/plain');
      expect(await scraped.text()).toContain('# TYPE bot_http_requests_total counter');
    } finally {
      await app.close();
    }
  });
});

describe('createHttpApp: LOG_REQUESTS=false and METRICS_ENABLED=false', () => {
  it('turns the per-request work off: no request line, no X-Request-Id, /metrics 404', async () => {
    const { app, log } = await start({ LOG_REQUESTS: 'false', METRICS_ENABLED: 'false' });
    try {
      const response = await fetch(`${app.url}/items/1`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBeNull();
      expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
      await settle();
      expect(log.find({ msg: 'request completed' })).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
