import type { PlatformSandboxPart } from '@bot/providers';
import { FakeAtlassian } from './fake-atlassian';

/** Jira's sandbox part: the Atlassian fake (auth and API hosts in one) and the JIRA_* / ATLASSIAN_* variables. */
export const JIRA_SANDBOX: PlatformSandboxPart<'atlassian', FakeAtlassian> = {
  name: 'atlassian',
  async start(options) {
    const fake = await new FakeAtlassian({ clientId: 'sandbox-jira-client', clientSecret: 'sandbox-jira-client-secret' }).start(options.port);
    return {
      fake,
      env: {
        JIRA_CLIENT_ID: 'sandbox-jira-client',
        JIRA_CLIENT_SECRET: 'sandbox-jira-client-secret',
        ATLASSIAN_AUTH_BASE_URL: fake.url,
        ATLASSIAN_API_BASE_URL: fake.url,
      },
    };
  },
};
