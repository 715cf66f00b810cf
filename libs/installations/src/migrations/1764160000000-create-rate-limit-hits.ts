import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every replica (the default storage of `@nestjs/throttler` limits; Redis replaces
 * it when REDIS_URL is set). UNLOGGED: counters are worth no WAL, and losing them in a crash only resets limits
 * early. No index beyond the key: every hit rewrites `window_ends_at`, and an index on it would turn each of
 * those updates from a HOT update into an index write; the cleanup scans a table of one row per active client.
 */
export class CreateRateLimitHits1764160000000 implements MigrationInterface {
  name = 'CreateRateLimitHits1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE rate_limit_hits (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_ends_at timestamptz NOT NULL,
        blocked_until timestamptz
      ) WITH (fillfactor = 70)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rate_limit_hits`);
  }
}
