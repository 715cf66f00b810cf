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
      // On shutdown, a socket that has not closed by then is destroyed (ioredis waits 2 s by default, even for a
      // socket whose connection was refused and will never emit 'close').
      disconnectTimeout: 200,
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

  async onApplicationShutdown(): Promise<void> {
    // QUIT lets Redis close the connection cleanly; a client still (re)connecting just stops trying.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect(false));
    else this.redis.disconnect(false);
  }
}
