export * from './installation-api.client';
export * from './github.client';
export * from './slack.client';
export * from './jira.client';
export * from './platform-clients.module';
