import { ValueTransformer } from 'typeorm';
import { TokenCipher } from './token-cipher';

/** Thrown when an encrypted column is read or written before the process installed its cipher. */
export class ColumnCipherNotConfiguredError extends Error {
  constructor() {
    super('token encryption is not configured: call useColumnCipher() before touching encrypted columns');
  }
}

let activeCipher: TokenCipher | undefined;

/**
 * Installs the cipher that every encrypted column uses in this process. TypeORM builds transformers at
 * decoration time, before configuration exists, so the key ring is looked up here at use time.
 */
export function useColumnCipher(cipher: TokenCipher): void {
  activeCipher = cipher;
}

/** The cipher installed by `useColumnCipher`; throws when none is. */
export function columnCipher(): TokenCipher {
  if (!activeCipher) {
    throw new ColumnCipherNotConfiguredError();
  }
  return activeCipher;
}

/**
 * The one place where secrets cross into and out of the database: entity columns declared with this
 * transformer are only ever written as ciphertext, and a write without a configured key fails.
 */
export class EncryptedColumnTransformer implements ValueTransformer {
  to(value: string | null | undefined): string | null | undefined {
    if (value === null || value === undefined) {
      return value;
    }
    return columnCipher().encrypt(value);
  }

  from(value: string | null): string | null {
    if (value === null || value === undefined) {
      return null;
    }
    return columnCipher().decrypt(value);
  }
}

/** Shared transformer instance; `instanceof EncryptedColumnTransformer` marks a column as encrypted. */
export const encryptedColumn = new EncryptedColumnTransformer();
