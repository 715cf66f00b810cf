import type { PlatformSandboxPart } from '@bot/providers';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeGitHub } from './fake-github';

/**
 * GitHub's sandbox part: the fake with a GitHub App key pair (kept in the sandbox's state directory when it has
 * one, so app JWTs stay valid across restarts) and the GITHUB_* variables that point at it.
 */
export const GITHUB_SANDBOX: PlatformSandboxPart<'github', FakeGitHub> = {
  name: 'github',
  async start(options) {
    const { privateKey, publicKey } = appKeyPair(options.stateDir);
    const appId = '424242';
    const appSlug = 'sandbox-bot';
    const fake = await new FakeGitHub({ appId, appSlug, publicKey }).start(options.port);
    // The fake redirects back to the oauth-service's callback itself, like github.com after an install.
    if (options.oauthServiceUrl) fake.options.setupUrl = `${options.oauthServiceUrl.replace(/\/$/, '')}/oauth/callback/github`;
    return {
      fake,
      env: {
        GITHUB_APP_ID: appId,
        GITHUB_APP_NAME: appSlug,
        GITHUB_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        GITHUB_WEBHOOK_SECRET: 'sandbox-github-webhook-secret',
        GITHUB_BASE_URL: fake.url,
        GITHUB_API_BASE_URL: fake.url,
      },
    };
  },
};

function appKeyPair(stateDir: string | undefined): { privateKey: KeyObject; publicKey: KeyObject } {
  const file = stateDir && join(stateDir, 'github-app-key.pem');
  if (file && existsSync(file)) {
    const privateKey = createPrivateKey(readFileSync(file));
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (stateDir && file) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return pair;
}
