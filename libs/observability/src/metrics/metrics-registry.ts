import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) shared by the request, upstream and queue histograms: 5 ms to 30 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The app's own Prometheus registry (not prom-client's global one, so apps sharing a process in tests keep
 * their numbers apart). Every series carries `app`; Node's default process metrics (event loop lag, heap, GC,
 * CPU, handles) are collected too. With METRICS_ENABLED=false the metric classes record nothing.
 */
@Injectable()
export class MetricsRegistry {
  readonly enabled: boolean;
  private readonly registry = new Registry();

  constructor(config: AppConfig) {
    this.enabled = config.observability.metricsEnabled;
    this.registry.setDefaultLabels({ app: config.appName });
    if (this.enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** A counter registered here. */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram registered here, with the latency buckets unless others are given. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets = LATENCY_BUCKETS): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge registered here. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
