import { AppConfig } from '@bot/config';

/** True when the Sentry credentials are configured (their variables are declared and validated in libs/config/src/platforms/sentry.config.ts). */
export function sentryConfigured(config: AppConfig): boolean {
  return Boolean(config.sentry);
}
