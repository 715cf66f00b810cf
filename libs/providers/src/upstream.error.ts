/** How a call to a platform failed. `rejected`: the platform answered with a documented error (e.g. invalid_grant). */
export type UpstreamFailure = 'timeout' | 'network' | 'http' | 'malformed' | 'rejected';

/** A platform call that failed; the message names the platform and the reason, never a token. */
export class UpstreamError extends Error {
  constructor(
    readonly platform: string,
    readonly failure: UpstreamFailure,
    message: string,
    readonly status?: number,
    /** The platform's own error code when it gave one (`invalid_grant`, `invalid_code`, …). */
    readonly providerError?: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** The callback itself is unusable (e.g. no installation id or no site granted); nothing can be installed. */
export class InstallCallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallCallbackError';
  }
}

/** Keeps only a well-formed error code from an upstream body, so nothing else from it reaches a message. */
export function providerErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z0-9_.:-]{1,64}$/i.test(value) ? value : undefined;
}
