export * from './embedded-postgres.server';
export * from './migration-runner';
export * from './data-source.factory';
export * from './re-encryption.service';
export * from './database.module';
export * from './redacting-typeorm.logger';
