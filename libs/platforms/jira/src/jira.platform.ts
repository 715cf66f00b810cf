import type { PlatformModule } from '@bot/providers';
import { JiraClient } from './client/jira.client';
import { jiraConfigured } from './config';
import { FakeAtlassian } from './fake/fake-atlassian';
import { JIRA_SANDBOX } from './fake/jira.sandbox';
import { JiraOAuthProvider } from './install/jira-oauth.provider';
import { JiraPassThroughModule } from './pass-through/jira-pass-through.module';
import { JiraInstallationHooks } from './webhook-registrations/jira-installation.hooks';
import { JiraWebhookRegistrationModule } from './webhook-registrations/jira-webhook-registration.module';
import { JiraWebhooksModule } from './webhooks/jira-webhooks.module';

/** Jira Cloud (Atlassian OAuth 2.0 3LO): everything the apps and tools need, for the registry in `@bot/platforms`. */
export const JIRA_PLATFORM = {
  platform: 'jira',
  displayName: 'Jira',
  configured: jiraConfigured,
  install: { provider: JiraOAuthProvider },
  hooks: { module: JiraWebhookRegistrationModule, provider: JiraInstallationHooks },
  webhooks: JiraWebhooksModule,
  passThrough: JiraPassThroughModule,
  clients: [JiraClient],
  sandbox: JIRA_SANDBOX,
} as const satisfies PlatformModule<'atlassian', FakeAtlassian>;
