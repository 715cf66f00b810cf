import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { WebhookRejectedError } from './webhook.errors';

/** A parsed JSON object from a verified body; anything else is a 400. */
export function parseJsonObject(raw: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw WebhookRejectedError.malformed(`${what} is not valid JSON`);
  }
  if (!isObject(value)) throw WebhookRejectedError.malformed(`${what} is not a JSON object`);
  return value;
}

/** Delivery id for platforms that send none: the same bytes are the same delivery. */
export function bodyDigestId(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as a non-empty string (numbers are ids too), else null. */
export function idString(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `value` as a string no longer than `max` characters (column sizes), else null. */
export function shortString(value: unknown, max = 128): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : null;
}

/**
 * What to store as a JSON delivery's payload: its raw bytes when they are valid UTF-8 (the database takes them
 * as text as they are), else the decoded text (invalid sequences replaced, as JSON.parse saw them).
 */
export function payloadText(rawBody: Buffer, decoded: string): Buffer | string {
  return isUtf8(rawBody) ? rawBody : decoded;
}
