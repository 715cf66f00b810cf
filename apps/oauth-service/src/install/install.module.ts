import { HealthEventsModule } from '@bot/health-events';
import { InstallationHooksModule } from '@bot/platforms';
import { Module } from '@nestjs/common';
import { PageRenderer } from '../pages/page.renderer';
import { InstallController } from './install.controller';
import { InstallService } from './install.service';

/** The install flows of every platform. */
@Module({
  imports: [HealthEventsModule, InstallationHooksModule],
  controllers: [InstallController],
  providers: [InstallService, PageRenderer],
})
export class InstallModule {}
