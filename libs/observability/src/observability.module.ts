import { Module } from '@nestjs/common';
import { HttpMetrics } from './metrics/http.metrics';
import { InstallationMetrics } from './metrics/installation.metrics';
import { MetricsRegistry } from './metrics/metrics-registry';
import { TokenMetrics } from './metrics/token.metrics';
import { UpstreamMetrics } from './metrics/upstream.metrics';
import { WebhookMetrics } from './metrics/webhook.metrics';
import { PassThroughObserver } from './pass-through/pass-through.observer';
import { Tracing } from './tracing/tracing';

const PROVIDERS = [MetricsRegistry, HttpMetrics, UpstreamMetrics, TokenMetrics, WebhookMetrics, InstallationMetrics, Tracing, PassThroughObserver];

/**
 * The app's metric registry and metric families, its tracing, and the pass-through observer. A plain (static)
 * module: every module that imports it shares one instance per app, so libs import it where they record.
 * Needs AppConfig in scope.
 */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class ObservabilityModule {}
