import { Context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { WebhookTask } from './webhook-task';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The trace context a task was queued in, for a consumer to continue that trace: pass it as the parent of the
 * span that processes the task. The root context when the task carries no (valid) traceparent. Needs no
 * propagator to be registered, so it works in any consumer process.
 */
export function taskTraceContext(task: Pick<WebhookTask, 'traceparent'>): Context {
  const match = task.traceparent ? TRACEPARENT.exec(task.traceparent) : null;
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}
