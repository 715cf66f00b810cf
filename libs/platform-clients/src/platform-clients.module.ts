import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { GitHubClient } from './github.client';
import { InstallationApiClient } from './installation-api.client';
import { JiraClient } from './jira.client';
import { SlackClient } from './slack.client';

/** Typed GitHub, Slack and Jira clients for code in this repo; needs AppConfig and DatabaseModule in scope. */
@Module({
  imports: [TokensModule],
  providers: [InstallationApiClient, GitHubClient, SlackClient, JiraClient],
  exports: [GitHubClient, SlackClient, JiraClient],
})
export class PlatformClientsModule {}
