import { HealthEventsModule } from '@bot/health-events';
import { Module } from '@nestjs/common';
import { InstallationsModule } from '../installations/installations.module';
import { EventEndpointsController } from './event-endpoints.controller';
import { EventEndpointsService } from './event-endpoints.service';

/** `/oauth/event-endpoints` admin API. */
@Module({
  imports: [HealthEventsModule, InstallationsModule],
  controllers: [EventEndpointsController],
  providers: [EventEndpointsService],
})
export class EventEndpointsModule {}
