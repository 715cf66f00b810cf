import { randomBytes } from 'node:crypto';
import { InvalidEncryptionKeyError, parseEncryptionKey } from './encryption-key';
import { DecryptionError, TokenCipher } from './token-cipher';

const keyText = () => randomBytes(32).toString('base64url');

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes as base64url, as base64, and a Python Fernet.generate_key() value', () => {
    const bytes = randomBytes(32);
    expect(parseEncryptionKey(bytes.toString('base64url')).material.equals(bytes)).toBe(true);
    expect(parseEncryptionKey(bytes.toString('base64')).material.equals(bytes)).toBe(true);
    // Fernet keys are urlsafe base64 with padding: 44 characters.
    const fernet = parseEncryptionKey('ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=');
    expect(fernet.material).toHaveLength(32);
  });

  it('derives a stable id that does not reveal the key', () => {
    const text = keyText();
    expect(parseEncryptionKey(text).id).toBe(parseEncryptionKey(text).id);
    expect(parseEncryptionKey(text).id).not.toBe(parseEncryptionKey(keyText()).id);
    expect(text).not.toContain(parseEncryptionKey(text).id);
  });

  it.each(['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('base64url'), '!'.repeat(43)])(
    'rejects %p',
    (text) => {
      expect(() => parseEncryptionKey(text)).toThrow(InvalidEncryptionKeyError);
    },
  );
});

describe('TokenCipher', () => {
  const current = parseEncryptionKey(keyText());
  const old = parseEncryptionKey(keyText());
  const cipher = new TokenCipher(current, [old]);

  it('round-trips text, with a fresh IV each time and the key id in the envelope', () => {
    const secret = 'xoxb-1234-5678-abcdefghijklmnop ünïcødé';
    const a = cipher.encrypt(secret);
    const b = cipher.encrypt(secret);
    expect(a).not.toBe(b);
    expect(a.startsWith(`enc:v1:${current.id}:`)).toBe(true);
    expect(a).not.toContain('xoxb');
    expect(cipher.decrypt(a)).toBe(secret);
    expect(cipher.isCurrent(a)).toBe(true);
  });

  it('decrypts values written under a previous key, and knows they are not current', () => {
    const envelope = new TokenCipher(old).encrypt('refresh-token-1');
    expect(cipher.decrypt(envelope)).toBe('refresh-token-1');
    expect(cipher.isCurrent(envelope)).toBe(false);
  });

  it('fails clearly on an unknown key id', () => {
    const foreign = new TokenCipher(parseEncryptionKey(keyText())).encrypt('x');
    expect(() => cipher.decrypt(foreign)).toThrow(DecryptionError);
    expect(() => cipher.decrypt(foreign)).toThrow(/neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS/);
  });

  it('fails clearly on a tampered ciphertext, never returning garbage', () => {
    const envelope = cipher.encrypt('ghs_secret_value');
    const [format, version, keyId, data] = envelope.split(':');
    const bytes = Buffer.from(data, 'base64url');
    for (const index of [0, 13, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[index] ^= 0x01;
      const tampered = [format, version, keyId, flipped.toString('base64url')].join(':');
      expect(() => cipher.decrypt(tampered)).toThrow(/failed authentication/);
    }
  });

  it('rejects an envelope relabelled with another known key id', () => {
    const envelope = cipher.encrypt('value');
    const relabelled = envelope.replace(`:${current.id}:`, `:${old.id}:`);
    expect(() => cipher.decrypt(relabelled)).toThrow(DecryptionError);
  });

  it.each(['plaintext-token', 'enc:v1:abc', 'enc:v2:id:AAAA', 'enc:v1:id:'])('rejects malformed %p', (value) => {
    expect(() => cipher.decrypt(value)).toThrow(DecryptionError);
  });

  it('rejects a truncated payload', () => {
    expect(() => cipher.decrypt(`enc:v1:${current.id}:${Buffer.alloc(10).toString('base64url')}`)).toThrow(/truncated/);
  });
});
