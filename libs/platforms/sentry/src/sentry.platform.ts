import type { PlatformModule } from '@bot/providers';
import { SentryClient } from './client/sentry.client';
import { sentryConfigured } from './config';
import { FakeSentry } from './fake/fake-sentry';
import { SENTRY_SANDBOX } from './fake/sentry.sandbox';
import { SentryIntegrationProvider } from './install/sentry-integration.provider';
import { SentryPassThroughModule } from './pass-through/sentry-pass-through.module';
import { SentryWebhooksModule } from './webhooks/sentry-webhooks.module';

/** Sentry (a public integration of its integration platform): everything the apps and tools need, for the registry in `@bot/platforms`. */
export const SENTRY_PLATFORM = {
  platform: 'sentry',
  displayName: 'Sentry',
  configured: sentryConfigured,
  install: { provider: SentryIntegrationProvider },
  webhooks: SentryWebhooksModule,
  passThrough: SentryPassThroughModule,
  clients: [SentryClient],
  sandbox: SENTRY_SANDBOX,
} as const satisfies PlatformModule<'sentry', FakeSentry>;
