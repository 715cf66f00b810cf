import { AppConfig, AppName, loadAppConfig } from '@bot/config';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';

/** A fresh 32-byte key in the format TOKEN_ENCRYPTION_KEY takes. */
export function newEncryptionKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Admin and service keys every test config carries unless overridden. */
export const TEST_ADMIN_API_KEY = 'test-admin-key-0123456789abcdef';
export const TEST_SERVICE_API_KEY = 'test-service-key-0123456789abcdef';

const processKey = newEncryptionKey();

/**
 * A validated config for `appName` built only from `env` (never the machine's environment or `.env`), with
 * test secrets filled in. The encryption key is stable for the whole test process unless overridden.
 */
export function testConfig(appName: AppName, env: Record<string, string | undefined> = {}): AppConfig {
  return loadAppConfig(appName, {
    cwd: tmpdir(),
    env: {
      NODE_ENV: 'test',
      TOKEN_ENCRYPTION_KEY: processKey,
      ADMIN_API_KEY: TEST_ADMIN_API_KEY,
      SERVICE_API_KEY: TEST_SERVICE_API_KEY,
      ...env,
    },
  });
}
