import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** `/health` (liveness) and `/health/ready` (database reachable). */
@Module({ controllers: [HealthController] })
export class HealthModule {}
