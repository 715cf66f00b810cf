import type { PlatformSandboxPart } from '@bot/providers';
import { generateKeyPairSync } from 'node:crypto';
import { FakeGitHub } from './fake-github';

/** GitHub's sandbox part: the fake with a fresh GitHub App key pair, and the GITHUB_* variables that point at it. */
export const GITHUB_SANDBOX: PlatformSandboxPart<'github', FakeGitHub> = {
  name: 'github',
  async start(options) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
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
