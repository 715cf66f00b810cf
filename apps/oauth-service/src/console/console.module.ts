import { HealthEventsModule } from '@bot/health-events';
import { typeOrmExecutor, WebhookTaskRepository } from '@bot/webhooks';
import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InstallationsModule } from '../installations/installations.module';
import { HealthEventsConsoleController } from './health-events/health-events-console.controller';
import { ConsoleAssetsController } from './http/console-assets.controller';
import { ConsoleNotFoundController } from './http/console-not-found.controller';
import { ConsoleSecurityHeaders } from './http/console-security.middleware';
import { ConsoleInstallationsController } from './installations/console-installations.controller';
import { ConsoleInstallationsService } from './installations/console-installations.service';
import { ConsoleCookies } from './session/console-cookies';
import { ConsoleLoginController } from './session/console-login.controller';
import { ConsoleSessionGuard } from './session/console-session.guard';
import { ConsoleSessionSigner } from './session/console-session.signer';
import { WebhookQueueConsoleController } from './webhook-queue/webhook-queue-console.controller';
import { WebhookQueueConsoleService } from './webhook-queue/webhook-queue-console.service';

const CONTROLLERS = [
  ConsoleLoginController,
  ConsoleAssetsController,
  ConsoleInstallationsController,
  WebhookQueueConsoleController,
  HealthEventsConsoleController,
  ConsoleNotFoundController,
];

/** The operator console under `/admin`: server-rendered pages behind a signed session cookie. */
@Module({
  imports: [InstallationsModule, HealthEventsModule],
  controllers: CONTROLLERS,
  providers: [
    ConsoleSessionSigner,
    ConsoleCookies,
    ConsoleSessionGuard,
    ConsoleInstallationsService,
    WebhookQueueConsoleService,
    { provide: WebhookTaskRepository, inject: [DataSource], useFactory: (dataSource: DataSource) => new WebhookTaskRepository(typeOrmExecutor(dataSource)) },
  ],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ConsoleSecurityHeaders).forRoutes(...CONTROLLERS);
  }
}
