import { AppConfig } from '@bot/config';
import { useColumnCipher } from '@bot/crypto';
import { AuditEventRepository, InstallationRepository, OAuthStateRepository, WebhookRegistrationRepository } from '@bot/installations';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, tokenCipherFrom } from './data-source.factory';
import { runMigrations } from './migration-runner';
import { SingleRunnerLock } from './single-runner.lock';

/** TypeORM on the app's PostgreSQL, migrated on start, with the repositories every app shares. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            if (!config.databaseUrl) {
              throw new Error('DATABASE_URL was not resolved before the app module was built');
            }
            useColumnCipher(tokenCipherFrom(config));
            return { ...dataSourceOptions(config.databaseUrl), retryAttempts: 5, retryDelay: 2000 };
          },
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
      providers: [InstallationRepository, OAuthStateRepository, AuditEventRepository, WebhookRegistrationRepository, SingleRunnerLock],
      exports: [InstallationRepository, OAuthStateRepository, AuditEventRepository, WebhookRegistrationRepository, SingleRunnerLock],
    };
  }
}
