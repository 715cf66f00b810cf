import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { platformModule, PlatformsModule } from '@bot/platforms';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module of sentry-api. */
@Module({})
export class SentryApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SentryApiModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule, PlatformsModule, platformModule('sentry').passThrough],
    };
  }
}
