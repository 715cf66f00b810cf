/** The six processes of the product. */
export const APP_NAMES = ['oauth-service', 'api-gateway', 'github-api', 'jira-api', 'slack-api', 'sentry-api'] as const;

export type AppName = (typeof APP_NAMES)[number];

/** SPEC's default port of each app. */
export const DEFAULT_PORTS: Record<AppName, number> = {
  'oauth-service': 8010,
  'api-gateway': 8000,
  'github-api': 3001,
  'jira-api': 3002,
  'slack-api': 3003,
  'sentry-api': 3004,
};
