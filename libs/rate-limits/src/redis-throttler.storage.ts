import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { ThrottlerStorageRecord } from './throttler-storage-record';

/** Prefix of every key this product writes to Redis, so a shared Redis can tell them apart. */
export const RATE_LIMIT_REDIS_KEY_PREFIX = 'bot:rate-limit:';

/**
 * `@nestjs/throttler` storage in Redis (REDIS_URL), through `@nest-lab/throttler-storage-redis` (one Lua script per
 * hit, so replicas count atomically). The client gives up quickly instead of queueing without end: with Redis
 * down a hit fails after one reconnect attempt (a few seconds at most) and SharedThrottlerStorage lets the request
 * through, rather than every install request hanging.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly redis: Redis;
  private readonly storage: ThrottlerStorageRedisService;
  private lastConnectionError = '';

  constructor(url: string) {
    this.redis = new Redis(url, {
      keyPrefix: RATE_LIMIT_REDIS_KEY_PREFIX,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      // Reconnect forever, at most every 5 s: Redis coming back must heal the limit without a restart.
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    // Without a listener ioredis prints every failed reconnect; one line per distinct error is enough.
    this.redis.on('error', (error: Error) => {
      if (error.message === this.lastConnectionError) return;
      this.lastConnectionError = error.message;
      this.logger.warn(`Redis for rate limits: ${error.message}`);
    });
    this.redis.on('ready', () => (this.lastConnectionError = ''));
    this.storage = new ThrottlerStorageRedisService(this.redis);
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.storage.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect(false);
  }
}
