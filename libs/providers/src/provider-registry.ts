import { AppConfig } from '@bot/config';
import { Platform, PLATFORMS } from '@bot/installations';
import { GitHubAppProvider } from '@bot/platform-github';
import { JiraOAuthProvider } from '@bot/platform-jira';
import { SlackOAuthProvider } from '@bot/platform-slack';
import { Injectable } from '@nestjs/common';
import { InstallationProvider } from './installation-provider';

/** Thrown for a platform name we do not know. */
export class UnknownPlatformError extends Error {}

/** Thrown for a known platform whose credentials are not configured. */
export class PlatformNotConfiguredError extends Error {}

/** The provider of each platform, and which platforms are configured. */
@Injectable()
export class ProviderRegistry {
  private readonly providers: Record<Platform, InstallationProvider>;

  constructor(
    private readonly config: AppConfig,
    github: GitHubAppProvider,
    slack: SlackOAuthProvider,
    jira: JiraOAuthProvider,
  ) {
    this.providers = { github, slack, jira };
  }

  /** True for `github`, `slack`, `jira`. */
  static isPlatform(name: string): name is Platform {
    return (PLATFORMS as readonly string[]).includes(name);
  }

  /** Platforms whose credentials are present, in SPEC order. */
  configured(): Platform[] {
    return PLATFORMS.filter((platform) => Boolean(this.config[platform]));
  }

  /** The provider of a configured platform; throws UnknownPlatformError or PlatformNotConfiguredError. */
  get(name: string): InstallationProvider {
    if (!ProviderRegistry.isPlatform(name)) {
      throw new UnknownPlatformError(`unknown platform "${name.slice(0, 40)}"; expected one of ${PLATFORMS.join(', ')}`);
    }
    if (!this.config[name]) {
      throw new PlatformNotConfiguredError(`${this.providers[name].displayName} is not configured on this server`);
    }
    return this.providers[name];
  }
}
