import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EncryptionKey } from './encryption-key';

const FORMAT = 'enc:v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a stored value cannot be decrypted: unknown key id, tampering or a malformed envelope. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * AES-256-GCM with a key ring: encrypts under the current key, decrypts under the current or any previous key.
 * Envelope: `enc:v1:<keyId>:<base64url(iv | ciphertext | tag)>`; the prefix is authenticated as AAD so a
 * ciphertext cannot be relabelled with another key id.
 */
export class TokenCipher {
  private readonly keysById: Map<string, EncryptionKey>;

  constructor(
    private readonly current: EncryptionKey,
    previous: readonly EncryptionKey[] = [],
  ) {
    this.keysById = new Map([...previous, current].map((key) => [key.id, key]));
  }

  /** Id of the key new ciphertexts are written under. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** Encrypts text under the current key with a fresh random IV. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const header = `${FORMAT}:${this.current.id}`;
    const cipher = createCipheriv('aes-256-gcm', this.current.material, iv);
    cipher.setAAD(Buffer.from(header));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${header}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Decrypts an envelope made by `encrypt` under any key of the ring; throws DecryptionError otherwise. */
  decrypt(envelope: string): string {
    const { keyId, payload } = TokenCipher.parse(envelope);
    const key = this.keysById.get(keyId);
    if (!key) {
      throw new DecryptionError(
        `encrypted value uses key id "${keyId}", which is neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS`,
      );
    }
    if (payload.length < IV_BYTES + TAG_BYTES) {
      throw new DecryptionError('encrypted value is truncated');
    }
    const decipher = createDecipheriv('aes-256-gcm', key.material, payload.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${FORMAT}:${keyId}`));
    decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(payload.subarray(IV_BYTES, payload.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DecryptionError(`encrypted value failed authentication under key id "${keyId}" (tampered or corrupted)`);
    }
  }

  /** True when the envelope was written under the current key (nothing to re-encrypt). */
  isCurrent(envelope: string): boolean {
    return TokenCipher.parse(envelope).keyId === this.current.id;
  }

  /** Key id of an envelope without decrypting it. */
  static keyIdOf(envelope: string): string {
    return TokenCipher.parse(envelope).keyId;
  }

  /** The prefix every envelope under the given key id starts with (usable in SQL `LIKE`). */
  static prefixFor(keyId: string): string {
    return `${FORMAT}:${keyId}:`;
  }

  private static parse(envelope: string): { keyId: string; payload: Buffer } {
    const parts = envelope.split(':');
    if (parts.length !== 4 || `${parts[0]}:${parts[1]}` !== FORMAT || !parts[2] || !parts[3]) {
      throw new DecryptionError('stored value is not an encrypted envelope (expected enc:v1:<keyId>:<data>)');
    }
    return { keyId: parts[2], payload: Buffer.from(parts[3], 'base64url') };
  }
}
