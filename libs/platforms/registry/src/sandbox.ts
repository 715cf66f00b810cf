import { generateKeyPairSync } from 'node:crypto';
import { FakeGitHub } from '@bot/platform-github';
import { FakeAtlassian } from '@bot/platform-jira';
import { FakeSlack } from '@bot/platform-slack';

/** The three fakes running together, and the environment that points the apps at them. */
export interface PlatformSandbox {
  github: FakeGitHub;
  slack: FakeSlack;
  atlassian: FakeAtlassian;
  /** Credentials and base-URL variables for the apps (GITHUB_*, SLACK_*, JIRA_*, *_BASE_URL). */
  env: Record<string, string>;
  /** Tells the fake GitHub where the oauth-service's callback is, once its URL is known. */
  setOAuthServiceUrl(baseUrl: string): void;
  stop(): Promise<void>;
}

/**
 * Starts fakes of GitHub, Slack and Atlassian on loopback with a fresh GitHub App key pair. Installs and grants
 * seed the data their APIs answer with (a `demo` repository, a workspace's channels and users, a site's SBX
 * project), so the API apps have something to forward to straight after an install.
 */
export async function startPlatformSandbox(options: { oauthServiceUrl?: string; slackRotation?: boolean; ports?: { github?: number; slack?: number; atlassian?: number } } = {}): Promise<PlatformSandbox> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = '424242';
  const appSlug = 'sandbox-bot';
  const github = await new FakeGitHub({ appId, appSlug, publicKey }).start(options.ports?.github);
  const slack = await new FakeSlack({ clientId: '1111.2222', clientSecret: 'sandbox-slack-client-secret', rotation: options.slackRotation }).start(options.ports?.slack);
  const atlassian = await new FakeAtlassian({ clientId: 'sandbox-jira-client', clientSecret: 'sandbox-jira-client-secret' }).start(options.ports?.atlassian);
  const sandbox: PlatformSandbox = {
    github,
    slack,
    atlassian,
    env: {
      GITHUB_APP_ID: appId,
      GITHUB_APP_NAME: appSlug,
      GITHUB_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      GITHUB_WEBHOOK_SECRET: 'sandbox-github-webhook-secret',
      GITHUB_BASE_URL: github.url,
      GITHUB_API_BASE_URL: github.url,
      SLACK_CLIENT_ID: '1111.2222',
      SLACK_CLIENT_SECRET: 'sandbox-slack-client-secret',
      SLACK_SIGNING_SECRET: 'sandbox-slack-signing-secret',
      SLACK_BASE_URL: slack.url,
      JIRA_CLIENT_ID: 'sandbox-jira-client',
      JIRA_CLIENT_SECRET: 'sandbox-jira-client-secret',
      ATLASSIAN_AUTH_BASE_URL: atlassian.url,
      ATLASSIAN_API_BASE_URL: atlassian.url,
    },
    setOAuthServiceUrl: (baseUrl) => {
      github.options.setupUrl = `${baseUrl.replace(/\/$/, '')}/oauth/callback/github`;
    },
    stop: async () => {
      await Promise.all([github.stop(), slack.stop(), atlassian.stop()]);
    },
  };
  if (options.oauthServiceUrl) sandbox.setOAuthServiceUrl(options.oauthServiceUrl);
  return sandbox;
}
