import type { Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';

const OBSERVATION = Symbol('bot.requestObservation');

/**
 * What is known about one request while it is served, for its log line, metrics and span. Code that learns more
 * (the route pattern of a request served below Nest's router, the installation, why a request was refused)
 * records it here through `observationOf(req)`.
 */
export class RequestObservation {
  /** Route pattern (`/repos/{*path}`), when the request is not routed by Express (which the observer asks itself). */
  route?: string;
  installationId?: string;
  platform?: string;
  /** True when the answer's status was relayed from a platform, so a 5xx is the platform's failure, not ours. */
  relayed = false;
  /** Why a request was refused or failed, in words safe to log (a client error's message; never a secret). */
  reason?: string;
  /** The request's server span, when tracing is on. */
  span?: Span;

  constructor(
    /** X-Request-Id: the caller's when it sent a usable one, else generated. */
    readonly id: string,
    /** `performance.now()` when the request arrived. */
    readonly startedAt: number,
  ) {}
}

/** Attaches `observation` to its request. */
export function attachObservation(req: IncomingMessage, observation: RequestObservation): void {
  (req as IncomingMessage & { [OBSERVATION]?: RequestObservation })[OBSERVATION] = observation;
}

/** The observation of a request, or undefined when observation is off (LOG_REQUESTS, METRICS_ENABLED and tracing all off). */
export function observationOf(req: IncomingMessage): RequestObservation | undefined {
  return (req as IncomingMessage & { [OBSERVATION]?: RequestObservation })[OBSERVATION];
}

/** Records why a request was refused (its log line carries it); a no-op when observation is off. */
export function noteRefusal(req: IncomingMessage, reason: string): void {
  const observation = observationOf(req);
  if (observation) observation.reason = reason.slice(0, 300);
}
