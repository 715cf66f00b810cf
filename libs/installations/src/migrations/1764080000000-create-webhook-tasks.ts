import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable queue of accepted webhook deliveries (api-gateway writes, consumers claim with SKIP LOCKED).
 * `payload` is json, not jsonb: it keeps the platform's text as delivered and is cheaper to insert (nothing is
 * converted), and nothing queries inside payloads. No foreign key to installations: they are never deleted, and
 * a key check would take a share lock on the installation row for every insert of a burst for one org. Indexes
 * are only what the insert (dedupe) and consumers (due and expired claims) need, since each costs every insert.
 */
export class CreateWebhookTasks1764080000000 implements MigrationInterface {
  name = 'CreateWebhookTasks1764080000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_tasks (
        id bigserial PRIMARY KEY,
        queue varchar(64) NOT NULL,
        platform varchar(20) NOT NULL CONSTRAINT ck_webhook_tasks_platform CHECK (platform IN ('github', 'slack', 'jira')),
        installation_id uuid,
        external_org_id varchar(255),
        external_install_id varchar(255),
        event_type varchar(128) NOT NULL,
        action varchar(128),
        delivery_id varchar(255) NOT NULL,
        payload json NOT NULL,
        received_at timestamptz NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CONSTRAINT ck_webhook_tasks_status CHECK (status IN ('pending', 'processing', 'done', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 10 CONSTRAINT ck_webhook_tasks_max_attempts CHECK (max_attempts > 0),
        run_after timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        locked_by varchar(128),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The dedupe: a redelivered delivery id conflicts here and is dropped by INSERT … ON CONFLICT DO NOTHING.
    await queryRunner.query(`CREATE UNIQUE INDEX ux_webhook_tasks_delivery ON webhook_tasks (platform, delivery_id)`);
    // Small partial indexes: consumers only ever look at due pending tasks and at expired claims.
    await queryRunner.query(`CREATE INDEX ix_webhook_tasks_due ON webhook_tasks (queue, run_after, id) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX ix_webhook_tasks_claimed ON webhook_tasks (queue, locked_until) WHERE status = 'processing'`);
    // Jira deliveries are routed by the site URL their `self` links carry.
    await queryRunner.query(
      `CREATE INDEX ix_installations_jira_site ON installations ((rtrim(lower(metadata->>'url'), '/'))) WHERE platform = 'jira' AND status <> 'revoked'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_installations_jira_site`);
    await queryRunner.query(`DROP TABLE webhook_tasks`);
  }
}
