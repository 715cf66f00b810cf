export * from './rate-limit.module';
export * from './rate-limit-hit.repository';
export * from './postgres-throttler.storage';
export * from './redis-throttler.storage';
export * from './shared-throttler.storage';
export * from './throttler-storage-record';
