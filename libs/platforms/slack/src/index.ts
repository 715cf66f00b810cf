export * from './install/slack-oauth.provider';
export * from './pass-through/slack-pass-through.target';
export * from './pass-through/slack-pass-through.module';
export * from './webhooks/slack-signature';
export * from './webhooks/slack-lifecycle.service';
export * from './webhooks/slack-webhooks.service';
export * from './client/slack.client';
export * from './fake/fake-slack';
