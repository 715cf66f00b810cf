import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { OAuthServiceModule } from '../src/oauth-service.module';

describe('oauth-service start-up', () => {
  verifyConfigFailsAtStart('oauth-service');
  verifyHealthProbes('oauth-service', (config) => OAuthServiceModule.forRoot(config));
});
