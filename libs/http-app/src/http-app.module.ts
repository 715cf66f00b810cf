import { AppConfig, AppConfigModule } from '@bot/config';
import { MetricsEndpointModule } from '@bot/observability';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module every app runs under: its config, the shared endpoints (`/metrics`, with the app's metrics and tracing), then the app's own module. */
@Module({})
export class HttpAppModule {
  /** `appModule` under the shared parts; `/metrics` is mounted first so an app's catch-all route cannot shadow it. */
  static wrap(appModule: DynamicModule, config: AppConfig): DynamicModule {
    return { module: HttpAppModule, imports: [AppConfigModule.forRoot(config), MetricsEndpointModule, appModule] };
  }
}
