import { Tracing } from '@bot/observability';
import { PassThroughHarness, startPassThroughApp } from '@bot/platforms/testing';
import { LogCapture, OtlpReceiver, ReceivedSpan } from '@bot/testing';
import { randomBytes } from 'node:crypto';
import { GitHubApiModule } from '../src/github-api.module';

const SERVER = 2;
const CLIENT = 3;

describe('github-api: traces exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let receiver: OtlpReceiver;
  let h: PassThroughHarness;
  const log = new LogCapture();

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    h = await startPassThroughApp('github-api', (config) => GitHubApiModule.forRoot(config), { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, logDestination: log });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.stop();
  });

  it("one pass-through call: the caller's trace continues through the request, token lookup and mint, and the GitHub call, whose traceparent GitHub receives", async () => {
    const installation = h.sandbox.github.install('octo-traced');
    // No stored token: the lookup has to mint one, so the refresh span is part of the tree.
    const row = await h.seed({ platform: 'github', externalOrgId: String(installation.account.id), externalOrgName: 'octo-traced', externalInstallId: String(installation.id), accessToken: null, tokenExpiresAt: null });
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    const response = await h.call('/repos/octo-traced/demo', { installationId: row.id, headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
    expect(response.status).toBe(200);
    await h.app.get(Tracing).flush();

    const spans = receiver.trace(traceId);
    const one = (predicate: (span: ReceivedSpan) => boolean) => {
      const found = spans.filter(predicate);
      expect(found).toHaveLength(1);
      return found[0];
    };
    const server = one((span) => span.kind === SERVER);
    expect(server).toMatchObject({ service: 'github-api', name: 'GET /{*path}', parentSpanId: callerSpanId });
    expect(server.attributes).toMatchObject({ 'http.route': '/{*path}', 'http.response.status_code': 200, 'bot.installation_id': row.id, 'bot.platform': 'github' });
    // The mint commits and notifies installation_changed; when this process hears its own notification before the
    // send, the minted token's stamp is stale and the service reads the stored token once more (a second lookup
    // without a refresh under it). Either way every lookup hangs under the request and the mint under the first.
    const lookups = spans.filter((span) => span.name === 'token.lookup');
    expect(lookups.length === 1 || lookups.length === 2).toBe(true);
    for (const lookup of lookups) expect(lookup.parentSpanId).toBe(server.spanId);
    const mint = one((span) => span.name === 'token.refresh');
    const [minting, ...rereads] = [...lookups].sort((a) => (a.spanId === mint.parentSpanId ? -1 : 1));
    expect(minting.spanId).toBe(mint.parentSpanId);
    for (const reread of rereads) expect(spans.filter((span) => span.parentSpanId === reread.spanId)).toEqual([]);
    expect(mint.attributes).toMatchObject({ 'bot.platform': 'github', 'bot.refresh_outcome': 'token' });
    const upstream = one((span) => span.kind === CLIENT && span.name === 'github GET');
    expect(upstream.parentSpanId).toBe(server.spanId);
    expect(upstream.attributes).toMatchObject({ 'http.response.status_code': 200, 'url.full': `${h.sandbox.github.url}/repos/octo-traced/demo` });

    const received = h.sandbox.github.calls.filter((call) => call.path === '/repos/octo-traced/demo').at(-1)!;
    expect(received.headers['traceparent']).toBe(`00-${traceId}-${upstream.spanId}-01`);
    expect(log.find({ reqId: response.headers.get('x-request-id') })[0]).toMatchObject({ traceId });
  });

  it('a call without a traceparent starts a new trace; nothing of the caller is sent on', async () => {
    const installation = h.sandbox.github.install('octo-untraced');
    const minted = h.sandbox.github.mintToken(installation.id);
    const row = await h.seed({ platform: 'github', externalOrgId: String(installation.account.id), externalInstallId: String(installation.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) });
    expect((await h.call('/repos/octo-untraced/demo', { installationId: row.id })).status).toBe(200);
    await h.app.get(Tracing).flush();
    const received = h.sandbox.github.calls.filter((call) => call.path === '/repos/octo-untraced/demo').at(-1)!;
    const [, traceId, spanId] = received.headers['traceparent'].split('-');
    const server = receiver.trace(traceId).find((span) => span.kind === SERVER)!;
    expect(server.parentSpanId).toBe('');
    expect(receiver.trace(traceId).find((span) => span.kind === CLIENT)?.spanId).toBe(spanId);
  });
});
