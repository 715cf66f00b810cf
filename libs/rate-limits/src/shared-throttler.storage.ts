import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from './throttler-storage-record';

/** At most one warning per this long while the storage keeps failing. */
const FAILURE_LOG_INTERVAL_MS = 30_000;

/**
 * The throttler storage every app uses: counts in the shared backend (PostgreSQL or Redis) and, when that
 * backend fails, lets the request through with a warning. A rate limit protects the service; it must not be the
 * reason installs fail while the database that stores them is fine (the Redis case) or briefly unreachable.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private lastFailureLoggedAt = 0;

  constructor(
    readonly backend: ThrottlerStorage,
    readonly backendName: 'postgresql' | 'redis',
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.backend.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      const now = Date.now();
      if (now - this.lastFailureLoggedAt >= FAILURE_LOG_INTERVAL_MS) {
        this.lastFailureLoggedAt = now;
        this.logger.warn(`rate limit not enforced: the ${this.backendName} counter store failed (${(error as Error).message})`);
      }
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
