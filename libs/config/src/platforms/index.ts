import { GITHUB_CONFIG } from './github.config';
import { JIRA_CONFIG } from './jira.config';
import { PlatformConfig } from './platform-config';
import { SENTRY_CONFIG } from './sentry.config';
import { SLACK_CONFIG } from './slack.config';

/**
 * Every platform's variables, validated together with the core ones. The platform modules (libs/platforms)
 * read the result through AppConfig, so these declarations live here rather than in the modules: that keeps the
 * config validated once without a config -> platform -> config cycle.
 */
export const PLATFORM_CONFIGS: readonly PlatformConfig[] = [GITHUB_CONFIG, SLACK_CONFIG, JIRA_CONFIG, SENTRY_CONFIG];
