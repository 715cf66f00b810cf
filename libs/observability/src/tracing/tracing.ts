import { AppConfig } from '@bot/config';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Attributes, context, Context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * OpenTelemetry tracing of one app: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, then an SDK tracer provider
 * exporting batches over OTLP/HTTP to `<endpoint>/v1/traces`, registered as the process's provider with the W3C
 * trace-context propagator and the async-local context, so spans started anywhere in a request nest under it.
 * When off, every method is a cheap no-op and nothing is registered.
 */
@Injectable()
export class Tracing implements OnApplicationShutdown {
  readonly enabled: boolean;
  private readonly provider?: NodeTracerProvider;
  private readonly tracer?: Tracer;

  constructor(config: AppConfig) {
    const endpoint = config.observability.otlpEndpoint;
    this.enabled = Boolean(endpoint);
    if (!endpoint) return;
    // The SDK and exporter are loaded only when tracing is on: with their dependencies they are ~8 MiB of every
    // app's memory, which apps that do not trace need not carry.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
    const { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.appName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.observability.traceSampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    this.provider.register();
    this.tracer = this.provider.getTracer('bot');
  }

  /** A server span for an incoming request, continuing the caller's `traceparent` when it sent one. */
  startServerSpan(name: string, headers: IncomingHttpHeaders, attributes: Attributes): { span: Span; context: Context } | undefined {
    if (!this.tracer) return undefined;
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }

  /** A span under the active one (client spans for calls out); undefined when tracing is off. */
  startSpan(name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Span | undefined {
    return this.tracer?.startSpan(name, { kind, attributes });
  }

  /** Runs `work` inside a new span under the active one; the span ends when it settles, failed when it throws. */
  async inSpan<T>(name: string, attributes: Attributes, work: (span: Span | undefined) => Promise<T>): Promise<T> {
    if (!this.tracer) return work(undefined);
    const span = this.tracer.startSpan(name, { attributes });
    try {
      return await context.with(trace.setSpan(context.active(), span), () => work(span));
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Writes `span`'s context as `traceparent` (and `tracestate`) into outgoing headers. */
  inject(span: Span, headers: OutgoingHttpHeaders): void {
    propagation.inject(trace.setSpan(context.active(), span), headers);
  }

  /** The active span's `traceparent`, to store with work handed to another process (a webhook task); null when tracing is off. */
  currentTraceparent(): string | null {
    if (!this.tracer || !trace.getActiveSpan()) return null;
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return carrier['traceparent'] ?? null;
  }

  /** Exports every finished span now (tests; shutdown does it too). */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.provider) return;
    await this.provider.shutdown();
    // Another app in the same process (tests) may register its own provider after this one.
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

/** Marks a span failed with the error's type and message (never a stack or payload). */
export function failed(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const name = (error as Error)?.name ?? 'Error';
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${name}: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) });
  span.setAttribute('error.type', name);
}
