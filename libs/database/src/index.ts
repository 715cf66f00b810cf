export * from './embedded-postgres';
export * from './migration-runner';
export * from './data-source.factory';
export * from './re-encryption.service';
export * from './database.module';
export * from './redacting-typeorm.logger';
export * from './single-runner.lock';
export * from './pg-notification-waker';
