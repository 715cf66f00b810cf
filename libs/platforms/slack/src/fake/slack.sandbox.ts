import type { PlatformSandboxPart } from '@bot/providers';
import { FakeSlack } from './fake-slack';

export interface SlackSandboxOptions {
  /** Token rotation on: installs get expiring tokens and a refresh token. */
  slackRotation?: boolean;
}

/** Slack's sandbox part: the fake workspace and the SLACK_* variables that point at it. */
export const SLACK_SANDBOX: PlatformSandboxPart<'slack', FakeSlack, SlackSandboxOptions> = {
  name: 'slack',
  async start(options) {
    const fake = await new FakeSlack({ clientId: '1111.2222', clientSecret: 'sandbox-slack-client-secret', rotation: options.slackRotation }).start(options.port);
    return {
      fake,
      env: {
        SLACK_CLIENT_ID: '1111.2222',
        SLACK_CLIENT_SECRET: 'sandbox-slack-client-secret',
        SLACK_SIGNING_SECRET: 'sandbox-slack-signing-secret',
        SLACK_BASE_URL: fake.url,
      },
    };
  },
};
