import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { GitHubApiModule } from './github-api.module';

// Bodies stay unparsed: they are streamed to GitHub as they arrive.
void runHttpApp('github-api', (config) => GitHubApiModule.forRoot(config), { bodies: 'raw', sandbox: CHECKOUT_SANDBOX });
