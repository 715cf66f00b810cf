import { MetricsEndpointModule } from '@bot/observability';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module every app runs under: the shared endpoints (`/metrics`, with the app's metrics and tracing), then the app's own module. */
@Module({})
export class HttpAppModule {
  /** `appModule` under the shared parts; `/metrics` is mounted first so an app's catch-all route cannot shadow it. */
  static wrap(appModule: DynamicModule): DynamicModule {
    return { module: HttpAppModule, imports: [MetricsEndpointModule, appModule] };
  }
}
