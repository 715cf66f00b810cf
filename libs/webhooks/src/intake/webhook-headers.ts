import { SignatureCheck } from '../signatures/hub-signature';
import { WebhookRejectedError } from './webhook.errors';

export type HeaderValue = string | string[] | undefined;
export type Headers = Record<string, HeaderValue>;

/** The first value of a header (Node lower-cases names and gives repeated headers as arrays). */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Returns when the signature holds; otherwise throws the 401 naming why (never a secret). */
export function assertVerified(check: SignatureCheck): void {
  if (!check.valid) throw WebhookRejectedError.unverified(check.reason);
}
