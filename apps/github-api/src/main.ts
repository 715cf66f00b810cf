import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { GitHubApiModule } from './github-api.module';

void runHttpApp('github-api', (config) => GitHubApiModule.forRoot(config));
