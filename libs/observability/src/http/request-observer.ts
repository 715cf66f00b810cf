import { context, SpanStatusCode } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Level } from 'pino';
import { AppLogger, RequestLineLogger, requestLineLogger } from '../logging/app-logger';
import { HttpMetrics } from '../metrics/http.metrics';
import { Tracing } from '../tracing/tracing';
import { attachObservation, RequestObservation } from './request-observation';

/** Route label of requests no route matched (404s, and bodies refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** A caller's X-Request-Id is kept only when it is short and plain, so it cannot forge log content. */
const USABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes: logged at debug so they do not drown the request log. */
const QUIET_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

/** 5xx answers that report a platform or database being unavailable rather than a fault of ours. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * The per-request hook of every app, in front of the HTTP server's request listener (so it sees requests Nest's
 * router serves and any served below it): takes or makes the X-Request-Id and returns it, times the request, and
 * when the answer is done or the client left writes one log line (method, route pattern, status, duration,
 * request id, installation and platform when known), counts it in the HTTP metrics and ends its span.
 *
 * Levels say whose problem it is: a finished request is `info` (4xx included: the client's input), a client that
 * hung up is `info`, a 502/503/504 or a 5xx relayed from a platform is `warn`, any other 5xx is `error`.
 */
export class RequestObserver {
  private readonly lines: RequestLineLogger;

  constructor(
    logger: AppLogger,
    private readonly metrics: HttpMetrics,
    private readonly tracing: Tracing,
    private readonly logRequests: boolean,
  ) {
    this.lines = requestLineLogger(logger);
  }

  /** False when request logging, metrics and tracing are all off: then nothing runs per request. */
  get active(): boolean {
    return this.logRequests || this.metrics.enabled || this.tracing.enabled;
  }

  /** Puts the observer in front of the server's request listeners (Express, or anything that replaced it). */
  install(server: Server): void {
    const listeners = server.listeners('request') as RequestListener[];
    if (!this.active || listeners.length === 0) return;
    server.removeAllListeners('request');
    const dispatch: RequestListener =
      listeners.length === 1 ? listeners[0] : (req, res) => listeners.forEach((listener) => listener.call(server, req, res));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.observe(req, res, dispatch));
  }

  /** Observes one request and hands it to `dispatch`. */
  observe(req: IncomingMessage, res: ServerResponse, dispatch: RequestListener): void {
    const given = req.headers['x-request-id'];
    // A caller's id is plain but may still be shaped like a token (a JWT fits the characters); such an id is
    // replaced, since request lines skip the whole-line scrubber.
    const id = typeof given === 'string' && USABLE_REQUEST_ID.test(given) && this.lines.scrub(given) === given ? given : randomUUID();
    const observation = new RequestObservation(id, performance.now());
    attachObservation(req, observation);
    res.setHeader('x-request-id', id);
    res.once('close', () => this.finish(req as RoutedRequest, res, observation));
    if (!this.tracing.enabled) {
      dispatch(req, res);
      return;
    }
    const server = this.tracing.startServerSpan(req.method ?? 'HTTP', req.headers, { 'http.request.method': req.method ?? '', 'http.request_id': id });
    observation.span = server?.span;
    if (!server) {
      dispatch(req, res);
      return;
    }
    context.with(server.context, () => dispatch(req, res));
  }

  private finish(req: RoutedRequest, res: ServerResponse, observation: RequestObservation): void {
    const seconds = (performance.now() - observation.startedAt) / 1000;
    const route = observation.route ?? expressRoute(req) ?? UNMATCHED_ROUTE;
    const method = req.method ?? 'UNKNOWN';
    const completed = res.writableFinished;
    const status = res.statusCode;
    this.metrics.observe(route, method, completed ? (STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other') : 'aborted', seconds);
    const span = observation.span;
    if (span) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      if (observation.installationId) span.setAttribute('bot.installation_id', observation.installationId);
      if (observation.platform) span.setAttribute('bot.platform', observation.platform);
      if (status >= 500 || !completed) span.setStatus({ code: SpanStatusCode.ERROR, message: completed ? `HTTP ${status}` : 'client closed the connection' });
      span.end();
    }
    if (!this.logRequests) return;
    const [level, message] = lineLevel(completed, status, route, observation.relayed);
    // LOG_LEVEL=warn and above: a request line that would be dropped is not even built.
    const logger = this.lines.logger;
    if (!logger.isLevelEnabled(level)) return;
    const line: Record<string, unknown> = { reqId: observation.id, method, route, status, durationMs: Math.round(seconds * 10_000) / 10 };
    if (!completed) line['aborted'] = true;
    if (observation.platform) line['platform'] = observation.platform;
    if (observation.installationId) line['installationId'] = observation.installationId;
    if (observation.reason) line['reason'] = this.lines.scrub(observation.reason);
    if (span) line['traceId'] = span.spanContext().traceId;
    logger[level](line, message);
  }
}

type LineKind = readonly [Level, string];
const CLIENT_LEFT: LineKind = ['info', 'client closed the connection before the answer was complete'];
const COMPLETED: LineKind = ['info', 'request completed'];
const PROBE: LineKind = ['debug', 'request completed'];
const FAILED_UPSTREAM: LineKind = ['warn', 'request failed upstream'];
const FAILED: LineKind = ['error', 'request failed'];

/** The level and message of a request's line: whose problem it is, if any. */
function lineLevel(completed: boolean, status: number, route: string, relayed: boolean): LineKind {
  if (!completed) return CLIENT_LEFT;
  if (status < 500) return QUIET_ROUTES.has(route) ? PROBE : COMPLETED;
  if (relayed || UNAVAILABLE_STATUSES.has(status)) return FAILED_UPSTREAM;
  return FAILED;
}

/** The route pattern Express matched (`/webhooks/jira/:installationId`), if any. */
function expressRoute(req: RoutedRequest): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  return req.baseUrl ? req.baseUrl + path : path;
}
