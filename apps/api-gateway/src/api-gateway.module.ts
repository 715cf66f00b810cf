import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module of api-gateway. */
@Module({})
export class ApiGatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule],
    };
  }
}
