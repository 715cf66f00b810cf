import { GITHUB_CONFIG } from './github.config';
import { JIRA_CONFIG } from './jira.config';
import { SENTRY_CONFIG } from './sentry.config';
import { SLACK_CONFIG } from './slack.config';

/**
 * Every platform's variables, validated together with the core ones. The platform modules (libs/platforms)
 * read the result through AppConfig, so these declarations live here rather than in the modules: that keeps the
 * config validated once without a config -> platform -> config cycle. AppConfig's platform fields are derived
 * from this list, so a platform adds its config file and one entry here.
 */
export const PLATFORM_CONFIGS = [GITHUB_CONFIG, SLACK_CONFIG, JIRA_CONFIG, SENTRY_CONFIG] as const;

type Part = ReturnType<(typeof PLATFORM_CONFIGS)[number]['read']>;
type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** Each platform's credentials under its own key (`github`, `slack`, `jira`, `sentry`); unset when not configured. */
export type PlatformSettings = Intersection<Part['settings']>;
/** Every platform's upstream base URLs (`githubApiBaseUrl`, `sentryBaseUrl`, …). */
export type UpstreamUrls = Intersection<Part['upstream']>;
/** Single-org tokens from before OAuth; used only when a request names no installation. */
export type LegacyTokens = Intersection<Part['legacy']>;

export type { GitHubAppCredentials } from './github.config';
export type { SlackAppCredentials } from './slack.config';
export type { JiraAppCredentials } from './jira.config';
export type { SentryAppCredentials } from './sentry.config';
