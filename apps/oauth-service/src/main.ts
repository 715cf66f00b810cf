import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { OAuthServiceModule } from './oauth-service.module';

void runHttpApp('oauth-service', (config) => OAuthServiceModule.forRoot(config));
