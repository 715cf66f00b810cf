import type { PlatformSandboxPart } from '@bot/providers';
import { FakeSentry } from './fake-sentry';

/** Sentry's sandbox part: the fake integration platform and the SENTRY_* variables that point at it. */
export const SENTRY_SANDBOX: PlatformSandboxPart<'sentry', FakeSentry> = {
  name: 'sentry',
  async start(options) {
    const fake = await new FakeSentry({ clientId: 'sandbox-sentry-client', clientSecret: 'sandbox-sentry-client-secret', appSlug: 'sandbox-bot' }).start(options.port);
    // Like the integration's settings in Sentry: where to send the browser after an install, and the webhooks.
    if (options.oauthServiceUrl) fake.options.redirectUrl = `${options.oauthServiceUrl.replace(/\/$/, '')}/oauth/callback/sentry`;
    if (options.webhookPublicBaseUrl) fake.options.webhookUrl = `${options.webhookPublicBaseUrl.replace(/\/$/, '')}/webhooks/sentry`;
    return {
      fake,
      env: {
        SENTRY_CLIENT_ID: 'sandbox-sentry-client',
        SENTRY_CLIENT_SECRET: 'sandbox-sentry-client-secret',
        SENTRY_APP_SLUG: 'sandbox-bot',
        SENTRY_BASE_URL: fake.url,
      },
    };
  },
};
