/** The callback's state is missing, unknown, already used, expired, or was issued for another platform. */
export class InvalidStateError extends Error {}

/** The provider reported that the install was not approved (`error=access_denied`, …). */
export class ProviderDeniedError extends Error {
  constructor(
    readonly providerError: string,
    message: string,
  ) {
    super(message);
  }
}

/** `return_to` is not on the allow-list. */
export class ReturnToNotAllowedError extends Error {}
