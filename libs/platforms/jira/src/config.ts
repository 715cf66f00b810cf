import { AppConfig } from '@bot/config';

/** True when the jira credentials are configured (their variables are declared and validated in libs/config/src/platforms/jira.config.ts). */
export function jiraConfigured(config: AppConfig): boolean {
  return Boolean(config.jira);
}
