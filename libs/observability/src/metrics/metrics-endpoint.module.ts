import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability.module';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';

/** `GET /metrics` on every app (mounted by the http-app bootstrap, ahead of the app's own routes). */
@Module({
  imports: [ObservabilityModule],
  controllers: [MetricsController],
  providers: [MetricsTokenGuard],
})
export class MetricsEndpointModule {}
