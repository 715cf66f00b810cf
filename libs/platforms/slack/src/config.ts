import { AppConfig } from '@bot/config';

/** True when the slack credentials are configured (their variables are declared and validated in libs/config/src/platforms/slack.config.ts). */
export function slackConfigured(config: AppConfig): boolean {
  return Boolean(config.slack);
}
