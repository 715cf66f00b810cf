import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { SlackApiModule } from './slack-api.module';

void runHttpApp('slack-api', (config) => SlackApiModule.forRoot(config));
