import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One counter after a hit, as PostgreSQL saw it at that moment. */
export interface RateLimitCounter {
  hits: number;
  /** Milliseconds until the counting window ends (0 when it already has). */
  msToWindowEnd: number;
  /** Milliseconds until a block ends; 0 when not blocked. */
  msToUnblock: number;
}

interface CounterRow {
  hits: number;
  ms_to_window_end: number;
  ms_to_unblock: number | null;
}

// One statement does the whole hit, so concurrent hits from any number of replicas serialise on the row lock
// of ON CONFLICT DO UPDATE and each sees the count the previous one left. A key is in one of three states:
// blocked (blocked_until in the future: count on, stay blocked); stale (its window is over, or its block has
// ended: start a new window at 1, as the in-memory storage does after a block); counting (add one, and block for
// $4 ms once the count passes the limit). now() is when this hit's statement began; a hit that waited on the row
// lock can see a window or block set by a later-starting hit, so the times answered are capped at their lengths.
const HIT_SQL = `
  INSERT INTO rate_limit_hits AS hit (key, hits, window_ends_at, blocked_until)
  VALUES ($1, 1, now() + $2 * interval '1 millisecond', CASE WHEN 1 > $3 THEN now() + $4 * interval '1 millisecond' END)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE
      WHEN hit.blocked_until > now() THEN hit.hits + 1
      WHEN hit.window_ends_at <= now() OR hit.blocked_until IS NOT NULL THEN 1
      ELSE hit.hits + 1 END,
    window_ends_at = CASE
      WHEN hit.blocked_until > now() THEN hit.window_ends_at
      WHEN hit.window_ends_at <= now() OR hit.blocked_until IS NOT NULL THEN excluded.window_ends_at
      ELSE hit.window_ends_at END,
    blocked_until = CASE
      WHEN hit.blocked_until > now() THEN hit.blocked_until
      WHEN hit.window_ends_at <= now() OR hit.blocked_until IS NOT NULL THEN excluded.blocked_until
      WHEN hit.hits + 1 > $3 THEN now() + $4 * interval '1 millisecond'
      ELSE NULL END
  RETURNING hits,
    least($2, greatest(0, extract(epoch FROM window_ends_at - now()) * 1000))::float8 AS ms_to_window_end,
    least($4, greatest(0, extract(epoch FROM blocked_until - now()) * 1000))::float8 AS ms_to_unblock`;

const DELETE_EXPIRED_SQL = `
  WITH gone AS (
    DELETE FROM rate_limit_hits WHERE window_ends_at < now() AND (blocked_until IS NULL OR blocked_until < now()) RETURNING 1
  )
  SELECT count(*)::int AS deleted FROM gone`;

/** The `rate_limit_hits` table: shared rate-limit counters, counted atomically in PostgreSQL. */
@Injectable()
export class RateLimitHitRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one hit on `key` in a fixed window of `windowMs`; past `limit` hits the key is blocked for `blockMs`. */
  async hit(key: string, windowMs: number, limit: number, blockMs: number): Promise<RateLimitCounter> {
    const [row] = (await this.dataSource.query(HIT_SQL, [key, windowMs, limit, blockMs])) as CounterRow[];
    return { hits: row.hits, msToWindowEnd: row.ms_to_window_end, msToUnblock: row.ms_to_unblock ?? 0 };
  }

  /** Deletes counters whose window and block are both over; answers how many. */
  async deleteExpired(): Promise<number> {
    const [row] = (await this.dataSource.query(DELETE_EXPIRED_SQL)) as { deleted: number }[];
    return row.deleted;
  }
}
