import { verifyConfigFailsAtStart, verifyHealthProbes } from '@bot/testing';
import { GitHubApiModule } from '../src/github-api.module';

describe('github-api start-up', () => {
  verifyConfigFailsAtStart('github-api');
  verifyHealthProbes('github-api', (config) => GitHubApiModule.forRoot(config));
});
