import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { SentryApiModule } from '../src/sentry-api.module';

describe('sentry-api start-up', () => {
  verifyConfigFailsAtStart('sentry-api');
  verifyHealthProbes('sentry-api', (config) => SentryApiModule.forRoot(config));
});
