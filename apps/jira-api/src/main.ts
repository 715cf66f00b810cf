import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { JiraApiModule } from './jira-api.module';

void runHttpApp('jira-api', (config) => JiraApiModule.forRoot(config));
