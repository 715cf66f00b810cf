import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The revocation handshake between revokers and the token caches of the API processes.
 * `token_cache_listeners`: one row per running API process (its change-listener connection), renewed by a
 * heartbeat; `acked_revision` is the newest barrier it has processed. `token_cache_revision`: one counter row;
 * a barrier bumps it and notifies in one short transaction, and the row lock makes barriers commit in revision
 * order, so a listener that processed barrier N has processed every earlier one.
 */
export class CreateTokenCacheListeners1764120000000 implements MigrationInterface {
  name = 'CreateTokenCacheListeners1764120000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE token_cache_listeners (
        id uuid PRIMARY KEY,
        app varchar(64) NOT NULL,
        host varchar(255) NOT NULL,
        pid integer NOT NULL,
        lease_ms integer NOT NULL CONSTRAINT ck_token_cache_listeners_lease CHECK (lease_ms > 0),
        acked_revision bigint NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE token_cache_revision (
        singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_token_cache_revision_singleton CHECK (singleton),
        revision bigint NOT NULL
      )`);
    await queryRunner.query(`INSERT INTO token_cache_revision (singleton, revision) VALUES (true, 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE token_cache_revision`);
    await queryRunner.query(`DROP TABLE token_cache_listeners`);
  }
}
