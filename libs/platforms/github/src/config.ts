import { AppConfig } from '@bot/config';

/** True when the github credentials are configured (their variables are declared and validated in libs/config/src/platforms/github.config.ts). */
export function githubConfigured(config: AppConfig): boolean {
  return Boolean(config.github);
}
