import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { JiraInstallationHooks } from './jira-installation.hooks';
import { JiraWebhookApi } from './jira-webhook.api';
import { JiraWebhookRegistrar } from './jira-webhook.registrar';

/**
 * Jira's dynamic-webhook registrations: the API, the registrar and the install/revoke hooks. Imported by
 * oauth-service (through the registry's hooks) and by Jira's webhook part in api-gateway (the renewal job).
 * Needs AppConfig, DatabaseModule and PlatformsModule in scope.
 */
@Module({
  imports: [TokensModule],
  providers: [JiraWebhookApi, JiraWebhookRegistrar, JiraInstallationHooks],
  exports: [JiraWebhookApi, JiraWebhookRegistrar, JiraInstallationHooks, TokensModule],
})
export class JiraWebhookRegistrationModule {}
