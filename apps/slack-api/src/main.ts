import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { SlackApiModule } from './slack-api.module';

// Bodies stay unparsed: JSON and form bodies are streamed to Slack as they arrive.
void runHttpApp('slack-api', (config) => SlackApiModule.forRoot(config), { bodies: 'raw', sandbox: CHECKOUT_SANDBOX });
