import type { PassThroughError } from './pass-through.errors';

/** What an error answer may point at. */
export interface ErrorContext {
  /** Public base URL of this app (no installation prefix), when one is known; for documentation links. */
  appBaseUrl?: string;
}

/**
 * How one platform words an error, so the answers a pass-through app gives itself look like the platform's own
 * and its SDKs handle them unchanged (error types, retry policies). A platform supplies only this; the machinery
 * adds the machine-readable `code` and the error's headers.
 */
export interface PlatformErrorShape {
  /** The HTTP status to answer with; defaults to the error's own (Slack answers almost everything with 200). */
  status?(error: PassThroughError): number;
  /** The JSON body, e.g. GitHub `{ message, documentation_url }`, Jira `{ errorMessages, errors }`, Sentry `{ detail }`. */
  body(error: PassThroughError, context: ErrorContext): Record<string, unknown>;
}

/** A complete error answer. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Renders an error in a platform's shape; every answer carries the machine-readable `code`. */
export function renderPassThroughError(error: PassThroughError, shape: PlatformErrorShape, context: ErrorContext = {}): ErrorAnswer {
  return { status: shape.status?.(error) ?? error.status, headers: error.headers, body: { ...shape.body(error, context), code: error.code } };
}
