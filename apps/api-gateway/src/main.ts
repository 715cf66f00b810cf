import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { ApiGatewayModule } from './api-gateway.module';

// Raw bodies: every webhook signature covers the exact bytes, so nothing may parse them first.
void runHttpApp('api-gateway', (config) => ApiGatewayModule.forRoot(config), { bodies: 'raw', sandbox: CHECKOUT_SANDBOX });
