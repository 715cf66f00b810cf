import { Clock, INSTALLATION_PROVIDERS, InstallationProvider, PlatformHttpClient, ProviderRegistry } from '@bot/providers';
import { Global, Module, Provider } from '@nestjs/common';
import { PLATFORM_MODULES } from './registry';

const providerClasses = PLATFORM_MODULES.map((entry) => entry.install.provider);
const installClasses: Provider[] = PLATFORM_MODULES.flatMap((entry) => [entry.install.provider, ...('providers' in entry.install ? entry.install.providers : [])]);

/**
 * Every registered platform's InstallationProvider, the ProviderRegistry over them, and the HTTP client and
 * clock they use. Global, because TokenService (libs/tokens) needs the registry without knowing the platforms;
 * every app imports it once at its root. Needs AppConfig in scope.
 */
@Global()
@Module({
  providers: [
    Clock,
    PlatformHttpClient,
    ...installClasses,
    { provide: INSTALLATION_PROVIDERS, inject: providerClasses, useFactory: (...providers: InstallationProvider[]) => providers },
    ProviderRegistry,
  ],
  exports: [Clock, PlatformHttpClient, ...installClasses, ProviderRegistry],
})
export class PlatformsModule {}
