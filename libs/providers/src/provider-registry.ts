import { Platform, PLATFORMS } from '@bot/installations';
import { Inject, Injectable } from '@nestjs/common';
import { InstallationProvider } from './installation-provider';

/** Injection token of the list of every registered platform's InstallationProvider (filled by the platform registry). */
export const INSTALLATION_PROVIDERS = Symbol('INSTALLATION_PROVIDERS');

/** Thrown for a platform name we do not know. */
export class UnknownPlatformError extends Error {}

/** Thrown for a known platform whose credentials are not configured. */
export class PlatformNotConfiguredError extends Error {}

/** The provider of each registered platform, and which platforms are configured. */
@Injectable()
export class ProviderRegistry {
  private readonly providers: ReadonlyMap<string, InstallationProvider>;

  constructor(@Inject(INSTALLATION_PROVIDERS) providers: InstallationProvider[]) {
    this.providers = new Map(providers.map((provider) => [provider.platform, provider]));
  }

  /** True for a platform of the data model (`github`, `slack`, `jira`). */
  static isPlatform(name: string): name is Platform {
    return (PLATFORMS as readonly string[]).includes(name);
  }

  /** Every registered provider, in registry order. */
  all(): InstallationProvider[] {
    return [...this.providers.values()];
  }

  /** Platforms whose credentials are present, in registry (SPEC) order. */
  configured(): Platform[] {
    return this.all()
      .filter((provider) => provider.configured())
      .map((provider) => provider.platform);
  }

  /** The provider of a configured platform; throws UnknownPlatformError or PlatformNotConfiguredError. */
  get(name: string): InstallationProvider {
    const provider = this.find(name);
    if (!provider.configured()) {
      throw new PlatformNotConfiguredError(`${provider.displayName} is not configured on this server`);
    }
    return provider;
  }

  /** The provider of a registered platform, configured or not; throws UnknownPlatformError. */
  find(name: string): InstallationProvider {
    const provider = ProviderRegistry.isPlatform(name) ? this.providers.get(name) : undefined;
    if (!provider) {
      throw new UnknownPlatformError(`unknown platform "${name.slice(0, 40)}"; expected one of ${[...this.providers.keys()].join(', ')}`);
    }
    return provider;
  }
}
