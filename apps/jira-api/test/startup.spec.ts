import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { JiraApiModule } from '../src/jira-api.module';

describe('jira-api start-up', () => {
  verifyConfigFailsAtStart('jira-api');
  verifyHealthProbes('jira-api', (config) => JiraApiModule.forRoot(config));
});
