import { GitHubAppJwtSigner, GitHubAppProvider } from '@bot/platform-github';
import { JiraOAuthProvider } from '@bot/platform-jira';
import { SlackOAuthProvider } from '@bot/platform-slack';
import { Clock, PlatformHttpClient, ProviderRegistry } from '@bot/providers';
import { Module } from '@nestjs/common';

/** The platform providers and the HTTP client and clock they use; needs AppConfig in scope. */
@Module({
  providers: [Clock, PlatformHttpClient, GitHubAppJwtSigner, GitHubAppProvider, SlackOAuthProvider, JiraOAuthProvider, ProviderRegistry],
  exports: [Clock, PlatformHttpClient, GitHubAppJwtSigner, GitHubAppProvider, SlackOAuthProvider, JiraOAuthProvider, ProviderRegistry],
})
export class ProvidersModule {}
