import { InstallationApiClient } from '@bot/platform-clients';
import { TokensModule } from '@bot/tokens';
import { Module } from '@nestjs/common';
import { PlatformsModule } from './platforms.module';
import { PLATFORM_MODULES } from './registry';

const clients = PLATFORM_MODULES.flatMap((entry) => [...entry.clients]);

/** Typed clients of every registered platform for code in this repo; needs AppConfig and DatabaseModule in scope. */
@Module({
  imports: [PlatformsModule, TokensModule],
  providers: [InstallationApiClient, ...clients],
  exports: clients,
})
export class PlatformClientsModule {}
