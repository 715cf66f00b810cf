import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares presented API keys with one expected key in constant time. */
export class ApiKeyMatcher {
  private readonly expected: Buffer;

  constructor(key: string) {
    this.expected = digest(key);
  }

  /** True when `presented` is the key; hashing first gives equal lengths, so timing says nothing about the key. */
  matches(presented: string): boolean {
    return timingSafeEqual(digest(presented), this.expected);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
