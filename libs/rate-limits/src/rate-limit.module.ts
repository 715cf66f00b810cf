import { AppConfig } from '@bot/config';
import { DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerOptions } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitHitRepository } from './rate-limit-hit.repository';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { SharedThrottlerStorage } from './shared-throttler.storage';

/** The backend is its own provider so that Nest runs its shutdown hook (timer, Redis connection). */
const RATE_LIMIT_BACKEND = Symbol('RATE_LIMIT_BACKEND');

@Module({
  providers: [
    {
      provide: RATE_LIMIT_BACKEND,
      inject: [AppConfig, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource) =>
        config.redisUrl ? new RedisThrottlerStorage(config.redisUrl) : new PostgresThrottlerStorage(new RateLimitHitRepository(dataSource)),
    },
    {
      provide: SharedThrottlerStorage,
      inject: [RATE_LIMIT_BACKEND],
      useFactory: (backend: PostgresThrottlerStorage | RedisThrottlerStorage) =>
        new SharedThrottlerStorage(backend, backend instanceof RedisThrottlerStorage ? 'redis' : 'postgresql'),
    },
  ],
  exports: [SharedThrottlerStorage],
})
class RateLimitStorageModule {}

/**
 * `@nestjs/throttler` with counters every replica shares: PostgreSQL by default, Redis when REDIS_URL is set.
 * Apps import this instead of `ThrottlerModule.forRoot`, and guard routes with `ThrottlerGuard` as usual.
 */
@Module({})
export class RateLimitModule {
  static forRoot(throttlers: ThrottlerOptions[]): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          imports: [RateLimitStorageModule],
          inject: [SharedThrottlerStorage],
          useFactory: (storage: SharedThrottlerStorage) => ({ throttlers, storage }),
        }),
      ],
      exports: [ThrottlerModule],
    };
  }
}
