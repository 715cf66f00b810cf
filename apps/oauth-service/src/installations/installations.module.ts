import { TokenRevocationModule } from '@bot/tokens';
import { HealthEventsModule } from '@bot/health-events';
import { Module } from '@nestjs/common';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { InstallationsController } from './installations.controller';
import { InstallationsService } from './installations.service';

/** `/oauth/installations` admin API. */
@Module({
  imports: [TokenRevocationModule, HealthEventsModule],
  controllers: [InstallationsController],
  providers: [InstallationsService, AdminApiKeyGuard],
  exports: [InstallationsService, AdminApiKeyGuard],
})
export class InstallationsModule {}
