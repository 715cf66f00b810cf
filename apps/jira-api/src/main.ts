import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { JiraApiModule } from './jira-api.module';

// Bodies stay unparsed: they are streamed to Jira as they arrive.
void runHttpApp('jira-api', (config) => JiraApiModule.forRoot(config), { bodies: 'raw', sandbox: CHECKOUT_SANDBOX });
