import { BadRequestException } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';

/** Opaque keyset position in a console URL: base64url of the sort key of the row a page starts after. */
export function encodeCursor(position: { at: string; id: string }): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position of an `encodeCursor` value; 400 for anything else. */
export function decodeCursor(cursor: string, id: RegExp): { at: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}[ T][\d:.]+([+-]\d{2}(:?\d{2})?|Z)$/.test(parsed[0]) ||
    !id.test(parsed[1])
  ) {
    throw new BadRequestException('the page link is malformed; start again from the first page');
  }
  return { at: parsed[0], id: parsed[1] };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const BIGINT_PATTERN = /^\d{1,19}$/;

/** Form fields left empty (a select's "All") mean "not set". */
export const EmptyAsUnset = () => Transform(({ value }) => (value === '' ? undefined : value));

/** A query parameter holding a cursor. */
export function IsCursor(): PropertyDecorator {
  return (target, key) => {
    EmptyAsUnset()(target, key);
    IsOptional()(target, key);
    Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: `${String(key)} is not a page link of this console` })(target, key);
  };
}
