import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { DynamicModule, Module } from '@nestjs/common';

/** Root module of github-api. */
@Module({})
export class GitHubApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GitHubApiModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule],
    };
  }
}
