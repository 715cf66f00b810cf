export * from './signatures/hmac';
export * from './signatures/hub-signature';
export * from './signatures/slack-signature';
export * from './signatures/jira-jwt';
export * from './queue/webhook-task';
export * from './queue/sql-executor';
export * from './queue/webhook-task.repository';
export * from './queue/webhook-task.consumer';
