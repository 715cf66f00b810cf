import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthEventDispatchModule } from '@bot/health-events';
import { HealthModule } from '@bot/http-app';
import { PlatformsModule } from '@bot/platforms';
import { RateLimitModule } from '@bot/rate-limits';
import { DynamicModule, Module } from '@nestjs/common';
import { ConsoleModule } from './console/console.module';
import { EventEndpointsModule } from './event-endpoints/event-endpoints.module';
import { InstallModule } from './install/install.module';
import { InstallationsModule } from './installations/installations.module';
import { PagesModule } from './pages/pages.module';

/** Root module of oauth-service. */
@Module({})
export class OAuthServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OAuthServiceModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        HealthModule,
        PlatformsModule,
        RateLimitModule.forRoot([
          { name: 'oauth', ttl: 60_000, limit: config.oauthRateLimitPerMinute },
          { name: 'admin-login', ttl: 60_000, limit: config.adminLoginRateLimitPerMinute },
        ]),
        HealthEventDispatchModule,
        InstallModule,
        InstallationsModule,
        EventEndpointsModule,
        ConsoleModule,
        PagesModule,
      ],
    };
  }
}
