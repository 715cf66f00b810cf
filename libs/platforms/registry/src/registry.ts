import { GITHUB_PLATFORM } from '@bot/platform-github';
import { JIRA_PLATFORM } from '@bot/platform-jira';
import { SENTRY_PLATFORM } from '@bot/platform-sentry';
import { SLACK_PLATFORM } from '@bot/platform-slack';

/**
 * Every platform the product supports, in SPEC order (install buttons, sandbox lines). Adding a platform is a
 * folder under libs/platforms plus one entry here; apps and tools read this list instead of naming platforms.
 */
export const PLATFORM_MODULES = [GITHUB_PLATFORM, SLACK_PLATFORM, JIRA_PLATFORM, SENTRY_PLATFORM] as const;

export type RegisteredPlatform = (typeof PLATFORM_MODULES)[number];

/** The registry entry of `platform`; throws for a name that is not registered. */
export function platformModule<P extends RegisteredPlatform['platform']>(platform: P): Extract<RegisteredPlatform, { platform: P }> {
  const entry = PLATFORM_MODULES.find((candidate) => candidate.platform === platform);
  if (!entry) throw new Error(`platform "${platform}" is not registered in libs/platforms/registry`);
  return entry as Extract<RegisteredPlatform, { platform: P }>;
}
