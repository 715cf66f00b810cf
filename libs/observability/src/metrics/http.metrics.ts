import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

interface RequestSeries {
  requests: Counter.Internal;
  duration: Histogram.Internal<string>;
}

/** `bot_http_requests_total` and `bot_http_request_duration_seconds` by route pattern, method and status class. */
@Injectable()
export class HttpMetrics {
  readonly enabled: boolean;
  private readonly requests: Counter<'route' | 'method' | 'status_class'>;
  private readonly duration: Histogram<'route' | 'method' | 'status_class'>;
  // One child per label combination: prom-client's `labels()` validates and copies its arguments on every call.
  private readonly series = new Map<string, RequestSeries>();

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    const labels = ['route', 'method', 'status_class'] as const;
    this.requests = registry.counter('bot_http_requests_total', 'HTTP requests answered, by route pattern, method and status class (2xx…5xx, or aborted)', labels);
    this.duration = registry.histogram('bot_http_request_duration_seconds', 'Time from the request to the end of the answer', labels);
  }

  /** Counts one finished request. */
  observe(route: string, method: string, statusClass: string, seconds: number): void {
    if (!this.enabled) return;
    const key = `${method} ${statusClass} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = { requests: this.requests.labels(route, method, statusClass), duration: this.duration.labels(route, method, statusClass) };
      this.series.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }
}
