import type { PlatformModule } from '@bot/providers';
import { GitHubClient } from './client/github.client';
import { githubConfigured } from './config';
import { FakeGitHub } from './fake/fake-github';
import { GITHUB_SANDBOX } from './fake/github.sandbox';
import { GitHubAppJwtSigner } from './install/github-app-jwt.signer';
import { GitHubAppProvider } from './install/github-app.provider';
import { GitHubPassThroughModule } from './pass-through/github-pass-through.module';
import { GitHubWebhooksModule } from './webhooks/github-webhooks.module';

/** GitHub (a GitHub App): everything the apps and tools need, for the registry in `@bot/platforms`. */
export const GITHUB_PLATFORM = {
  platform: 'github',
  displayName: 'GitHub',
  configured: githubConfigured,
  install: { provider: GitHubAppProvider, providers: [GitHubAppJwtSigner] },
  webhooks: GitHubWebhooksModule,
  passThrough: GitHubPassThroughModule,
  clients: [GitHubClient],
  sandbox: GITHUB_SANDBOX,
} as const satisfies PlatformModule<'github', FakeGitHub>;
