import { AppConfig } from '@bot/config';
import { noteRefusal, PassThroughObserver } from '@bot/observability';
import { TokenError, TokenService, TokenUsageRecorder } from '@bot/tokens';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromTokenError, PassThroughError } from './pass-through.errors';
import type { PassThroughRoutes } from './pass-through.mount';
import { PassThroughTarget, ResponseContext, UpstreamCredential } from './pass-through.target';
import { renderPassThroughError } from './platform-error.shape';
import { PublicBaseUrl } from './public-base-url';
import { splitInstallationPrefix, upstreamUrl, UpstreamLocation, validateRequestTarget } from './request-path';
import { ServiceApiKeyCheck } from './service-api-key.check';
import { UpstreamResponse, UpstreamTransport, UpstreamTransportError } from './upstream.transport';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bodies up to this size are held in memory so a request refused with 401 can be sent again after a refresh. */
const REPLAYABLE_BODY_BYTES = 64 * 1024;
/** Largest upstream answer read whole to look for an auth error inside it (Slack). */
const INSPECTED_BODY_BYTES = 256 * 1024;
/** Answers up to this size (with a Content-Length) are read whole and written with one `end()`. */
const SMALL_RESPONSE_BYTES = 64 * 1024;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Caller headers that are ours, not the platform's (`expect`: the 100-continue was answered here). */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'authorization', 'x-installation-id', 'cookie', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'expect']);
const NOT_RETURNED = new Set([...HOP_BY_HOP, 'set-cookie']);
/** Reads of a token that an installation change overtook before it could be sent; beyond this the call fails. */
const STALE_TOKEN_REREADS = 3;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

type RequestBody = { kind: 'none' } | { kind: 'buffer'; data: Buffer } | { kind: 'stream'; stream: Readable };

/**
 * Forwards an agent's request to its platform with the named installation's token: checks the service key and
 * the path, takes the installation from the `/installations/{id}` prefix or the `X-Installation-Id` header,
 * resolves the credential, streams the body both ways, retries once after a refresh when the platform refuses the
 * token, records the token use, and answers its own refusals in the platform's error shape. Right before each
 * send the token is checked against the cache's change stamps (no database round trip), so a token revoked
 * meanwhile is never sent once this process has acknowledged the revocation.
 *
 * Why it is shaped this way: this is the hot path of github-api, slack-api and jira-api, served below Nest's
 * router (PassThroughMount) on the plain `node:http` request and response, and every step is written for its
 * per-request cost: the service key digested once per header value, the token from memory, headers copied
 * once in each direction, the base URL parsed once per target, the upstream call on an undici pool, small answers
 * read whole and written with one `end()`. Refusals, refreshes and large or streamed bodies take the same path
 * but cost only when they happen.
 */
@Injectable()
export class PassThroughService {
  private readonly logger = new Logger(PassThroughService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly usage: TokenUsageRecorder,
    private readonly transport: UpstreamTransport,
    private readonly publicBaseUrl: PublicBaseUrl,
    private readonly serviceKey: ServiceApiKeyCheck,
    private readonly observer: PassThroughObserver,
  ) {}

  /**
   * Serves one request completely, refusals included. `routes` name the route patterns for the request log;
   * `requestTarget` is the raw request target (path and query as the caller sent them); routers that rewrite
   * `req.url` pass the original.
   */
  handle(req: IncomingMessage, res: ServerResponse, target: PassThroughTarget, routes: PassThroughRoutes, requestTarget = req.url ?? '/'): void {
    this.observer.routed(req, routes.other);
    this.observer.attributed(req, target.platform, null);
    this.forward(req, res, target, routes, requestTarget).catch((error: unknown) => this.refuse(req, res, target, error));
  }

  private async forward(req: IncomingMessage, res: ServerResponse, target: PassThroughTarget, routes: PassThroughRoutes, requestTarget: string): Promise<void> {
    this.serviceKey.check(req.headers.authorization);
    const validated = validateRequestTarget(requestTarget);
    const { installationId: prefixId, path } = splitInstallationPrefix(validated.path);
    let credential = await this.credential(req, target, prefixId);
    const route = target.route(path, credential);
    if (!route) throw new PassThroughError(404, 'not_forwarded', `${this.config.appName} does not forward ${req.method} ${path.slice(0, 200)}`);
    this.observer.routed(req, prefixId === null ? routes.plain : routes.prefixed);
    const location = upstreamUrl(route.baseUrl, route.path + validated.query);
    const body = await this.requestBody(req, target);
    const method = req.method ?? 'GET';
    // Built once, also for a retry: the caller's headers minus ours, plus the platform's defaults.
    const headers = forwardedHeaders(req.headers, target);

    credential = await this.current(credential, target);
    let upstream = await this.send(req, location, method, headers, credential, body, target);
    let inspected: InspectedBody | undefined;
    if (credential.kind === 'installation' && credential.token.refreshable && body.kind !== 'stream') {
      const rejected = credential.token;
      if (target.inspectBody(upstream.statusCode, upstream.headers)) inspected = await readUpTo(upstream.body, INSPECTED_BODY_BYTES);
      if (target.isTokenRejected(upstream.statusCode, inspected?.complete ? inspected.data : undefined)) {
        const refused = upstream;
        const replacement = await this.tokenCall(() => this.tokens.refreshRejected(rejected.installationId, rejected.accessToken)).catch((error: unknown) => {
          refused.body.resume();
          throw error;
        });
        if (replacement) {
          refused.body.resume();
          this.observer.retriedWithNewToken(target.platform);
          credential = await this.current({ kind: 'installation', token: replacement }, target);
          upstream = await this.send(req, location, method, headers, credential, body, target);
          inspected = undefined;
        }
      }
    }

    const answer = upstream;
    const status = answer.statusCode;
    const installationId = credential.kind === 'installation' ? credential.token.installationId : null;
    res.once('close', () => {
      this.usage.record({ installationId, platform: target.platform, method, path, status });
      if (!res.writableFinished) answer.body.destroy();
    });
    const responseHeaders = returnedHeaders(answer.headers);
    target.rewriteResponseHeaders(responseHeaders, this.responseContext(req.headers, prefixId, route.baseUrl));
    if (!inspected && Number(answer.headers['content-length']) <= SMALL_RESPONSE_BYTES) inspected = await readUpTo(answer.body, SMALL_RESPONSE_BYTES);
    res.writeHead(status, responseHeaders);
    if (inspected?.complete) {
      res.end(inspected.data);
      return;
    }
    if (inspected) res.write(inspected.data);
    await pipeline(answer.body, res).catch((error: Error) => {
      // The caller went away or the platform broke off mid-body; nothing more can be said to the caller.
      this.logger.debug(`response stream ended early: ${error.message}`);
      res.destroy();
    });
  }

  /** Answers a refusal in the platform's shape, or breaks the connection when the answer had already begun. */
  private refuse(req: IncomingMessage, res: ServerResponse, target: PassThroughTarget, failure: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let error: PassThroughError;
    if (failure instanceof PassThroughError) {
      error = failure;
    } else {
      this.logger.error({ msg: 'unexpected failure', err: failure });
      error = new PassThroughError(500, 'internal_error', 'unexpected server error');
    }
    noteRefusal(req, `${error.code}: ${error.message}`);
    const answer = renderPassThroughError(error, target.errorShape, { appBaseUrl: this.publicBaseUrl.of(req.headers) });
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, { ...answer.headers, 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Where absolute URLs in answers point; the public base URL is worked out only when a target reads it. */
  private responseContext(headers: IncomingHttpHeaders, prefixId: string | null, upstreamBaseUrl: string): ResponseContext {
    const publicBaseUrl = this.publicBaseUrl;
    return {
      upstreamBaseUrl,
      get publicBaseUrl() {
        const appBaseUrl = publicBaseUrl.of(headers);
        return appBaseUrl && prefixId !== null ? `${appBaseUrl}/installations/${prefixId}` : appBaseUrl;
      },
    };
  }

  /** The installation named by the path prefix and/or the header (they must agree), else the legacy token. */
  private async credential(req: IncomingMessage, target: PassThroughTarget, prefixId: string | null): Promise<UpstreamCredential> {
    const header = req.headers['x-installation-id'];
    const headerGiven = header !== undefined && header !== '';
    let installationId: string;
    if (prefixId !== null) {
      if (!UUID.test(prefixId)) throw new PassThroughError(400, 'invalid_installation_id', 'the /installations/{id} prefix must name one installation UUID');
      if (headerGiven && (typeof header !== 'string' || header.toLowerCase() !== prefixId.toLowerCase())) {
        throw new PassThroughError(400, 'installation_id_conflict', 'the /installations/{id} prefix and the X-Installation-Id header name different installations; send one of them');
      }
      installationId = prefixId;
    } else if (!headerGiven) {
      const legacy = target.legacyCredential();
      if (!legacy) {
        throw new PassThroughError(
          400,
          'installation_id_required',
          `name the installation: /installations/{id}/... or the X-Installation-Id header (no legacy ${target.displayName} token is configured)`,
        );
      }
      return legacy;
    } else {
      if (typeof header !== 'string' || !UUID.test(header)) {
        throw new PassThroughError(400, 'invalid_installation_id', 'X-Installation-Id must be one installation UUID');
      }
      installationId = header;
    }
    const id = installationId.toLowerCase();
    this.observer.attributed(req, target.platform, id);
    const token = await this.tokenCall(() => this.tokens.getToken(id, { platform: target.platform }));
    return { kind: 'installation', token };
  }

  /**
   * The credential, or a fresh read of it when the installation changed since it was read (e.g. revoked while
   * the body was arriving): the fresh read then answers with the refusal instead.
   */
  private async current(credential: UpstreamCredential, target: PassThroughTarget): Promise<UpstreamCredential> {
    if (credential.kind !== 'installation' || this.tokens.isCurrent(credential.token)) return credential;
    const id = credential.token.installationId;
    for (let read = 0; read < STALE_TOKEN_REREADS; read++) {
      const token = await this.tokenCall(() => this.tokens.getToken(id, { platform: target.platform }));
      if (this.tokens.isCurrent(token)) return { kind: 'installation', token };
    }
    throw new PassThroughError(503, 'token_refresh_unavailable', `installation ${id} kept changing while its token was read; try again`, { 'retry-after': '1' });
  }

  private async tokenCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof TokenError) throw fromTokenError(error);
      throw error;
    }
  }

  /** No body, a small body held for a possible retry, or a stream counted against the size limit. */
  private async requestBody(req: IncomingMessage, target: PassThroughTarget): Promise<RequestBody> {
    const limit = this.config.proxyBodyLimitBytes;
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > limit) {
      this.observer.bodyRefused(target.platform);
      throw tooLarge(limit);
    }
    if ((declared === undefined || declared === 0) && req.headers['transfer-encoding'] === undefined) return { kind: 'none' };
    if (declared !== undefined && declared <= REPLAYABLE_BODY_BYTES) {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of req) chunks.push(chunk as Buffer);
      } catch {
        throw clientClosed();
      }
      if (!req.complete) throw clientClosed();
      return { kind: 'buffer', data: Buffer.concat(chunks) };
    }
    const stream = req.pipe(new SizeLimit(limit));
    // pipe() does not pass on a caller hanging up mid-body; without this the platform call would wait for its time limit.
    req.once('close', () => {
      if (!req.complete) stream.destroy(clientClosed());
    });
    return { kind: 'stream', stream };
  }

  /** One upstream exchange with `credential`; the token is checked against the cache's stamps just before. */
  private async send(
    req: IncomingMessage,
    location: UpstreamLocation,
    method: string,
    headers: Record<string, string | string[]>,
    credential: UpstreamCredential,
    body: RequestBody,
    target: PassThroughTarget,
  ): Promise<UpstreamResponse> {
    headers['authorization'] = target.authorization(credential);
    const call = this.observer.upstreamStarted(req, target.platform, method, location, headers);
    try {
      const response = await this.transport.send(location, {
        method,
        headers,
        body: body.kind === 'buffer' ? body.data : body.kind === 'stream' ? body.stream : undefined,
        timeoutMs: this.config.upstreamTimeoutMs,
      });
      call.answered(response.statusCode);
      return response;
    } catch (thrown) {
      // A body stream we failed (over the limit, caller gone) may surface as the socket's reset: our reason wins.
      const error = body.kind === 'stream' && body.stream.errored instanceof PassThroughError ? body.stream.errored : thrown;
      call.failed(error instanceof UpstreamTransportError ? (error.reason === 'timeout' ? 'timeout' : 'unreachable') : 'cancelled');
      if (error instanceof PassThroughError) {
        if (error.status === 413) this.observer.bodyRefused(target.platform);
        throw error;
      }
      if (error instanceof UpstreamTransportError) {
        this.logger.warn({ msg: `${target.displayName} ${method} ${location.path.split('?')[0]} failed: ${error.message}`, platform: target.platform });
        if (error.reason === 'timeout') throw new PassThroughError(504, 'upstream_timeout', `${target.displayName} did not answer within ${this.config.upstreamTimeoutMs} ms`);
        throw new PassThroughError(502, 'upstream_unreachable', `could not reach ${target.displayName} (${error.message})`);
      }
      throw error;
    }
  }
}

/** The caller's headers minus ours and the hop-by-hop ones, plus the platform's defaults it did not send. */
function forwardedHeaders(incoming: IncomingHttpHeaders, target: PassThroughTarget): Record<string, string | string[]> {
  const dropped = incoming['connection'] === undefined ? undefined : connectionHeaders(incoming['connection']);
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !NOT_FORWARDED.has(name) && !dropped?.has(name)) headers[name] = value;
  }
  const defaults = target.defaultRequestHeaders;
  for (const name in defaults) if (!incoming[name]) headers[name] = defaults[name];
  return headers;
}

function returnedHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const dropped = incoming['connection'] === undefined ? undefined : connectionHeaders(incoming['connection']);
  const headers: OutgoingHttpHeaders = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined && !NOT_RETURNED.has(name) && !dropped?.has(name)) headers[name] = value;
  }
  return headers;
}

/** Headers a `Connection:` header names are hop-by-hop too (RFC 9110 7.6.1). */
function connectionHeaders(value: string | string[]): Set<string> {
  return new Set(String(value).split(',').map((name) => name.trim().toLowerCase()));
}

/** The caller hung up before its request body ended; nothing can be answered, and nothing went wrong here. */
function clientClosed(): PassThroughError {
  return new PassThroughError(400, 'client_closed_request', 'the client closed the connection before the request body ended');
}

function tooLarge(limit: number): PassThroughError {
  return new PassThroughError(413, 'body_too_large', `request body is larger than the ${limit}-byte limit (PROXY_BODY_LIMIT)`);
}

/** Passes bytes through until the limit is crossed, then fails the stream with a 413 error. */
class SizeLimit extends Transform {
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return callback(tooLarge(this.limit));
    callback(null, chunk);
  }
}

interface InspectedBody {
  data: Buffer;
  /** False when the answer was larger than the inspection limit; the rest is still in the stream. */
  complete: boolean;
}

/** Reads an answer whole when it fits in `limit` bytes; otherwise stops after the chunk that crossed it. */
function readUpTo(stream: Readable, limit: number): Promise<InspectedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        cleanup();
        resolve({ data: Buffer.concat(chunks), complete: false });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), complete: true });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
    };
    stream.on('data', onData).once('end', onEnd).once('error', onError);
  });
}
