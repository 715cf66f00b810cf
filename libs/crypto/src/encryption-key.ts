import { createHash } from 'node:crypto';

/** A 32-byte AES-256 key together with the short id written into every ciphertext it produces. */
export interface EncryptionKey {
  readonly id: string;
  readonly material: Buffer;
}

const KEY_TEXT = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Thrown when key material is not 32 bytes of base64 or base64url text. */
export class InvalidEncryptionKeyError extends Error {}

/**
 * Parses key text (32 random bytes as base64 or base64url; a Python `Fernet.generate_key()` value qualifies).
 * The id is derived from the key itself so rotating needs no extra configuration.
 */
export function parseEncryptionKey(text: string): EncryptionKey {
  const trimmed = text.trim();
  if (!KEY_TEXT.test(trimmed)) {
    throw new InvalidEncryptionKeyError('must be 32 random bytes encoded as base64 or base64url (44 characters)');
  }
  const material = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (material.length !== 32) {
    throw new InvalidEncryptionKeyError('must decode to exactly 32 bytes');
  }
  return { id: deriveKeyId(material), material };
}

function deriveKeyId(material: Buffer): string {
  // A hash of the key, never the key: the id is stored beside every ciphertext.
  return createHash('sha256').update('bot-token-key-id:').update(material).digest('base64url').slice(0, 10);
}
