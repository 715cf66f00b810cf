import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module of oauth-service. */
@Module({})
export class OAuthServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OAuthServiceModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule],
    };
  }
}
