import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { PlatformsModule } from '@bot/platforms';
import { DynamicModule, Module } from '@nestjs/common';
import { WebhooksModule } from './webhooks/webhooks.module';

/** Root module of api-gateway. */
@Module({})
export class ApiGatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule, PlatformsModule, WebhooksModule],
    };
  }
}
