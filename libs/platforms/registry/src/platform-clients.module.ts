import { ApiAppInstallationCaller, InstallationApiClient, InstallationCaller } from '@bot/platform-clients';
import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { PlatformsModule } from './platforms.module';
import { PLATFORM_MODULES } from './registry';

const clients = PLATFORM_MODULES.flatMap((entry) => [...entry.clients]);

/**
 * Typed clients of every registered platform for code in this repo, calling the platforms directly with the
 * installation's token; needs AppConfig and DatabaseModule in scope.
 */
@Module({
  imports: [PlatformsModule, TokensModule],
  providers: [InstallationApiClient, { provide: InstallationCaller, useExisting: InstallationApiClient }, ...clients],
  exports: clients,
})
export class PlatformClientsModule {}

/**
 * The same typed clients, calling through the API apps in the prefix form (`<APP>_PUBLIC_URL/installations/{id}/...`
 * with SERVICE_API_KEY), as an agent would; needs only AppConfig, no database.
 */
@Module({
  imports: [PlatformsModule],
  providers: [{ provide: InstallationCaller, useClass: ApiAppInstallationCaller }, ...clients],
  exports: clients,
})
export class ApiAppPlatformClientsModule {}
