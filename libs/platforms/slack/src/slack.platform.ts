import type { PlatformModule } from '@bot/providers';
import { SlackClient } from './client/slack.client';
import { slackConfigured } from './config';
import { FakeSlack } from './fake/fake-slack';
import { SLACK_SANDBOX, SlackSandboxOptions } from './fake/slack.sandbox';
import { SlackOAuthProvider } from './install/slack-oauth.provider';
import { SlackPassThroughModule } from './pass-through/slack-pass-through.module';
import { SlackWebhooksModule } from './webhooks/slack-webhooks.module';

/** Slack (OAuth v2 bot installs): everything the apps and tools need, for the registry in `@bot/platforms`. */
export const SLACK_PLATFORM = {
  platform: 'slack',
  displayName: 'Slack',
  configured: slackConfigured,
  install: { provider: SlackOAuthProvider },
  webhooks: SlackWebhooksModule,
  passThrough: SlackPassThroughModule,
  clients: [SlackClient],
  sandbox: SLACK_SANDBOX,
} as const satisfies PlatformModule<'slack', FakeSlack, SlackSandboxOptions>;
