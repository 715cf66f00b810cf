export * from './install/jira-oauth.provider';
export * from './pass-through/jira-pass-through.target';
export * from './pass-through/jira-pass-through.module';
export * from './webhooks/jira-jwt';
export * from './webhooks/jira-webhooks.service';
export * from './client/jira.client';
export * from './fake/fake-atlassian';
export * from './fake/fake-jql';
