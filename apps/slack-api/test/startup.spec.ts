import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { SlackApiModule } from '../src/slack-api.module';

describe('slack-api start-up', () => {
  verifyConfigFailsAtStart('slack-api');
  verifyHealthProbes('slack-api', (config) => SlackApiModule.forRoot(config));
});
