import { Injectable } from '@nestjs/common';
import { Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { observationOf } from '../http/request-observation';
import { UpstreamMetrics } from '../metrics/upstream.metrics';
import { Tracing } from '../tracing/tracing';

/** How a platform call ended without an answer: no answer in time, no connection, or cut off by us (the client left, the body was over the limit). */
export type UpstreamFailure = 'timeout' | 'unreachable' | 'cancelled';

/** Where a platform call goes: `https://api.github.com` and `/repos/o/r?page=2`. */
export interface UpstreamUrl {
  origin: string;
  /** Path and query. */
  path: string;
}

/** One platform call in flight. */
export interface UpstreamCall {
  /** The platform answered with `status` (its headers arrived). */
  answered(status: number): void;
  /** No answer came. */
  failed(reason: UpstreamFailure): void;
}

const UNOBSERVED_CALL: UpstreamCall = { answered: () => undefined, failed: () => undefined };

class ObservedCall implements UpstreamCall {
  private readonly startedAt = performance.now();

  constructor(
    private readonly metrics: UpstreamMetrics,
    private readonly req: IncomingMessage,
    private readonly platform: string,
    private readonly span: Span | undefined,
  ) {}

  answered(status: number): void {
    this.end(String(status));
    const observation = observationOf(this.req);
    if (observation) observation.relayed = true;
    if (this.span) {
      this.span.setAttribute('http.response.status_code', status);
      if (status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      this.span.end();
    }
  }

  failed(reason: UpstreamFailure): void {
    this.end(reason);
    if (this.span) {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      this.span.end();
    }
  }

  private end(status: string): void {
    this.metrics.call(this.platform, status, (performance.now() - this.startedAt) / 1000);
  }
}

/**
 * The pass-through's one seam to logs, metrics and traces, kept to a few calls so the hot path can be rewritten
 * freely: name the route of a request served below Nest's router, say whose request it is, wrap each platform
 * call, count a retry after a token refresh, count a body refused for its size. Everything here is a no-op when
 * metrics and tracing are off.
 */
@Injectable()
export class PassThroughObserver {
  constructor(
    private readonly metrics: UpstreamMetrics,
    private readonly tracing: Tracing,
  ) {}

  /**
   * The route pattern of a request served below Nest's router (`/installations/:installationId/{*path}`), the
   * label Express would have given it, for its log line and metrics.
   */
  routed(req: IncomingMessage, route: string): void {
    const observation = observationOf(req);
    if (observation) observation.route = route;
  }

  /** The request is served with the token of `installationId` of `platform` (null: the legacy env token). */
  attributed(req: IncomingMessage, platform: string, installationId: string | null): void {
    const observation = observationOf(req);
    if (!observation) return;
    observation.platform = platform;
    if (installationId) observation.installationId = installationId;
  }

  /**
   * A call to the platform is about to be sent with `headers`: starts its timer and client span, and sets the
   * span's `traceparent` in `headers` (with tracing off the caller's own `traceparent`, if forwarded, stays).
   */
  upstreamStarted(req: IncomingMessage, platform: string, method: string, url: UpstreamUrl, headers: OutgoingHttpHeaders): UpstreamCall {
    if (!this.metrics.enabled && !this.tracing.enabled) return UNOBSERVED_CALL;
    // Taken apart only here, when something is recorded: the hot path passes origin and path as it has them.
    const span = this.tracing.enabled
      ? this.tracing.startSpan(
          `${platform} ${method}`,
          { 'http.request.method': method, 'server.address': new URL(url.origin).hostname, 'url.full': `${url.origin}${url.path.split('?')[0]}`, 'bot.platform': platform },
          SpanKind.CLIENT,
        )
      : undefined;
    if (span) this.tracing.inject(span, headers);
    return new ObservedCall(this.metrics, req, platform, span);
  }

  /** The call is sent again with a refreshed token after the platform refused the token. */
  retriedWithNewToken(platform: string): void {
    this.metrics.retriedWithNewToken(platform);
  }

  /** The request body exceeded PROXY_BODY_LIMIT. */
  bodyRefused(platform: string): void {
    this.metrics.bodyRefused(platform);
  }
}
