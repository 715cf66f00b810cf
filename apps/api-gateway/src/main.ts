import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { ApiGatewayModule } from './api-gateway.module';

void runHttpApp('api-gateway', (config) => ApiGatewayModule.forRoot(config));
