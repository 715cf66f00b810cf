import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Local-development secrets kept under `.data/` so a fresh clone runs without a `.env` and encrypted rows
 * stay readable across restarts. Never consulted in production.
 */
export class DevSecretStore {
  constructor(private readonly file: string) {}

  /** The stored value for `name`, creating and persisting a random 32-byte one on first use. */
  get(name: string): string {
    const secrets = this.read();
    if (!secrets[name]) {
      secrets[name] = randomBytes(32).toString('base64url');
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
      chmodSync(this.file, 0o600);
    }
    return secrets[name];
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) {
      return {};
    }
    return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
  }
}
