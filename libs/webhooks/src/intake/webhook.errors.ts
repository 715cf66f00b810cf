/** A delivery refused before anything was stored: the status, a stable code and a message safe to show (never a secret). */
export class WebhookRejectedError extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejectedError';
  }

  /** 401: the delivery could not be verified as coming from the platform. */
  static unverified(message: string, code = 'invalid_signature'): WebhookRejectedError {
    return new WebhookRejectedError(401, code, message);
  }

  /** 400: verified, but the body is not what the platform sends. */
  static malformed(message: string): WebhookRejectedError {
    return new WebhookRejectedError(400, 'malformed_payload', message);
  }
}
