import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { InstallationApiClient } from '@bot/platform-clients';
import { GitHubClient } from '@bot/platform-github';
import { JiraClient } from '@bot/platform-jira';
import { SlackClient } from '@bot/platform-slack';

/** Typed GitHub, Slack and Jira clients for code in this repo; needs AppConfig and DatabaseModule in scope. */
@Module({
  imports: [TokensModule],
  providers: [InstallationApiClient, GitHubClient, SlackClient, JiraClient],
  exports: [GitHubClient, SlackClient, JiraClient],
})
export class PlatformClientsModule {}
