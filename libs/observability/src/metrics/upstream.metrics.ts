import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/**
 * What the pass-through apps' platform calls do: `bot_upstream_requests_total` by platform and status (the HTTP
 * code, or `timeout` / `unreachable`), `bot_upstream_request_duration_seconds` (until the answer's headers),
 * `bot_upstream_token_retries_total` (401 → refresh → one retry) and `bot_pass_through_body_limit_refusals_total`.
 */
@Injectable()
export class UpstreamMetrics {
  readonly enabled: boolean;
  private readonly requests: Counter<'platform' | 'status'>;
  private readonly duration: Histogram<'platform'>;
  private readonly retries: Counter<'platform'>;
  private readonly refusals: Counter<'platform'>;
  private readonly requestSeries = new Map<string, Counter.Internal>();
  private readonly durationSeries = new Map<string, Histogram.Internal<string>>();

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    this.requests = registry.counter('bot_upstream_requests_total', 'Calls forwarded to a platform, by platform and answer status (timeout / unreachable when none came)', ['platform', 'status']);
    this.duration = registry.histogram('bot_upstream_request_duration_seconds', 'Time until the platform answered with headers', ['platform']);
    this.retries = registry.counter('bot_upstream_token_retries_total', 'Calls sent again with a refreshed token after the platform refused the token', ['platform']);
    this.refusals = registry.counter('bot_pass_through_body_limit_refusals_total', 'Requests refused with 413 because the body exceeded PROXY_BODY_LIMIT', ['platform']);
  }

  /** One platform call that ended with `status` after `seconds`. */
  call(platform: string, status: string, seconds: number): void {
    if (!this.enabled) return;
    const key = `${platform} ${status}`;
    let requests = this.requestSeries.get(key);
    if (!requests) this.requestSeries.set(key, (requests = this.requests.labels(platform, status)));
    requests.inc();
    let duration = this.durationSeries.get(platform);
    if (!duration) this.durationSeries.set(platform, (duration = this.duration.labels(platform)));
    duration.observe(seconds);
  }

  /** A call sent again after a token refresh. */
  retriedWithNewToken(platform: string): void {
    if (this.enabled) this.retries.labels(platform).inc();
  }

  /** A request body refused for its size. */
  bodyRefused(platform: string): void {
    if (this.enabled) this.refusals.labels(platform).inc();
  }
}
