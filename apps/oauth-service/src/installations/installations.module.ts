import { ObservabilityModule } from '@bot/observability';
import { InstallationHooksModule } from '@bot/platforms';
import { TokenRevocationModule } from '@bot/tokens';
import { HealthEventsModule } from '@bot/health-events';
import { Module } from '@nestjs/common';
import { AdminApiKeyGuard } from './admin-api-key.guard';
import { InstallationStatusGauges } from './installation-status.gauges';
import { InstallationsController } from './installations.controller';
import { InstallationsService } from './installations.service';

/** `/oauth/installations` admin API, and the installations-by-status gauge. */
@Module({
  imports: [TokenRevocationModule, HealthEventsModule, ObservabilityModule, InstallationHooksModule],
  controllers: [InstallationsController],
  providers: [InstallationsService, AdminApiKeyGuard, InstallationStatusGauges],
  exports: [InstallationsService, AdminApiKeyGuard],
})
export class InstallationsModule {}
