import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** How a token refresh ended: a new token, a failure worth retrying later, the grant gone for good, or refused otherwise. */
export type TokenRefreshOutcome = 'ok' | 'transient_failure' | 'revoked' | 'failed';

/**
 * TokenService: `bot_token_cache_lookups_total` (hit / miss of the in-memory cache), `bot_token_refreshes_total`
 * by platform and outcome, and `bot_token_refresh_lock_wait_seconds` (waiting for the grant's refresh lock).
 */
@Injectable()
export class TokenMetrics {
  private readonly enabled: boolean;
  private readonly hits: Counter.Internal;
  private readonly misses: Counter.Internal;
  private readonly refreshes: Counter<'platform' | 'outcome'>;
  private readonly lockWait: Histogram<'platform'>;

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    const lookups = registry.counter('bot_token_cache_lookups_total', 'Token requests answered from memory (hit) or not (miss)', ['result']);
    this.hits = lookups.labels('hit');
    this.misses = lookups.labels('miss');
    this.refreshes = registry.counter('bot_token_refreshes_total', 'Token refreshes (GitHub: mints) by platform and outcome: ok, transient_failure, revoked, failed', ['platform', 'outcome']);
    this.lockWait = registry.histogram('bot_token_refresh_lock_wait_seconds', "Time spent waiting for a grant's refresh lock", ['platform']);
  }

  /** A token served from memory. */
  cacheHit(): void {
    if (this.enabled) this.hits.inc();
  }

  /** A token request the cache could not answer. */
  cacheMiss(): void {
    if (this.enabled) this.misses.inc();
  }

  /** One refresh attempt series ended with `outcome`. */
  refreshed(platform: string, outcome: TokenRefreshOutcome): void {
    if (this.enabled) this.refreshes.labels(platform, outcome).inc();
  }

  /** The refresh lock was granted after `seconds`. */
  lockWaited(platform: string, seconds: number): void {
    if (this.enabled) this.lockWait.labels(platform).observe(seconds);
  }
}
