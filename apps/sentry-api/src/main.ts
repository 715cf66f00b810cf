import 'reflect-metadata';
import { runHttpApp } from '@bot/http-app';
import { CHECKOUT_SANDBOX } from '@bot/platforms';
import { SentryApiModule } from './sentry-api.module';

// Bodies stay unparsed: they are streamed to Sentry as they arrive.
void runHttpApp('sentry-api', (config) => SentryApiModule.forRoot(config), { bodies: 'raw', sandbox: CHECKOUT_SANDBOX });
