import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { HealthModule } from '@bot/http-app';
import { DynamicModule, Module } from '@nestjs/common';
import { JiraPassThroughModule } from '@bot/platform-jira';

/** Root module of jira-api. */
@Module({})
export class JiraApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: JiraApiModule,
      imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), HealthModule, JiraPassThroughModule],
    };
  }
}
