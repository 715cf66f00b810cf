import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { ApiGatewayModule } from '../src/api-gateway.module';

describe('api-gateway start-up', () => {
  verifyConfigFailsAtStart('api-gateway');
  verifyHealthProbes('api-gateway', (config) => ApiGatewayModule.forRoot(config));
});
