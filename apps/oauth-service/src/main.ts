import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { OAuthServiceModule } from './oauth-service.module';

void runHttpApp('oauth-service', (config) => OAuthServiceModule.forRoot(config), { sandbox: CHECKOUT_SANDBOX });
