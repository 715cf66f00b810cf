import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitHitRepository } from './rate-limit-hit.repository';
import { ThrottlerStorageRecord } from './throttler-storage-record';

/** How often each process deletes finished counters; every replica may do it, the DELETE is idempotent. */
export const RATE_LIMIT_CLEANUP_INTERVAL_MS = 60_000;

/**
 * `@nestjs/throttler` storage on PostgreSQL: every replica counts in the same `rate_limit_hits` row, so a limit
 * of N per minute is N for the whole deployment, not N per process.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private cleanupTimer?: NodeJS.Timeout;

  constructor(
    private readonly hits: RateLimitHitRepository,
    cleanupIntervalMs = RATE_LIMIT_CLEANUP_INTERVAL_MS,
  ) {
    if (cleanupIntervalMs > 0) {
      this.cleanupTimer = setInterval(() => void this.deleteExpired(), cleanupIntervalMs);
      this.cleanupTimer.unref();
    }
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const counter = await this.hits.hit(`${throttlerName}:${key}`, ttl, limit, blockDuration);
    const isBlocked = counter.msToUnblock > 0 || counter.hits > limit;
    return {
      totalHits: counter.hits,
      timeToExpire: Math.ceil(counter.msToWindowEnd / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil((counter.msToUnblock || counter.msToWindowEnd) / 1000)) : 0,
    };
  }

  /** Deletes finished counters now (the timer calls it; tests call it directly). */
  async deleteExpired(): Promise<number> {
    try {
      return await this.hits.deleteExpired();
    } catch (error) {
      this.logger.warn(`deleting expired rate-limit counters failed (retried in a minute): ${(error as Error).message}`);
      return 0;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.cleanupTimer);
  }
}
