import { Module } from '@nestjs/common';
import { Clock } from './clock';
import { GitHubAppJwtSigner } from './github/github-app-jwt.signer';
import { GitHubAppProvider } from './github/github-app.provider';
import { JiraOAuthProvider } from './jira/jira-oauth.provider';
import { PlatformHttpClient } from './platform-http.client';
import { ProviderRegistry } from './provider-registry';
import { SlackOAuthProvider } from './slack/slack-oauth.provider';

/** The platform providers and the HTTP client and clock they use; needs AppConfig in scope. */
@Module({
  providers: [Clock, PlatformHttpClient, GitHubAppJwtSigner, GitHubAppProvider, SlackOAuthProvider, JiraOAuthProvider, ProviderRegistry],
  exports: [Clock, PlatformHttpClient, GitHubAppJwtSigner, GitHubAppProvider, SlackOAuthProvider, JiraOAuthProvider, ProviderRegistry],
})
export class ProvidersModule {}
