import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { platformModule, PlatformsModule } from '@bot/platforms';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module of github-api. */
@Module({})
export class GitHubApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GitHubApiModule,
      // The pass-through matches every path, so it comes after the app's own routes.
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule, PlatformsModule, platformModule('github').passThrough],
    };
  }
}
