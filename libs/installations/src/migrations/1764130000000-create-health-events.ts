import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of installation health events and their deliveries to operators' endpoints. Events are written in
 * the transaction of the change they report; the dispatcher fans each out into one delivery per endpoint and
 * claims due deliveries with SKIP LOCKED. The partial indexes cover exactly what the dispatcher scans.
 */
export class CreateHealthEvents1764130000000 implements MigrationInterface {
  name = 'CreateHealthEvents1764130000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE health_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(64) NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        platform varchar(20),
        installation_id uuid,
        org_id varchar(255),
        org_name varchar(255),
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        fanned_out_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX ix_health_events_waiting ON health_events (occurred_at, id) WHERE fanned_out_at IS NULL`);
    // Coalescing of repeated symptoms (one token.refresh_failed per installation per window) and retention.
    await queryRunner.query(`CREATE INDEX ix_health_events_installation ON health_events (installation_id, type, occurred_at)`);
    await queryRunner.query(`CREATE INDEX ix_health_events_occurred ON health_events (occurred_at)`);

    await queryRunner.query(`
      CREATE TABLE health_event_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(2048) NOT NULL,
        source varchar(8) NOT NULL CONSTRAINT ck_health_event_endpoints_source CHECK (source IN ('env', 'api')),
        secret text,
        description varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_health_event_endpoints_secret CHECK ((source = 'api') = (secret IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ux_health_event_endpoints_url ON health_event_endpoints (url)`);

    await queryRunner.query(`
      CREATE TABLE health_event_deliveries (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES health_events (id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES health_event_endpoints (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CONSTRAINT ck_health_event_deliveries_status CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        retry_until timestamptz NOT NULL,
        locked_until timestamptz,
        locked_by varchar(128),
        last_status integer,
        last_error text,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ux_health_event_deliveries_event_endpoint ON health_event_deliveries (event_id, endpoint_id)`);
    await queryRunner.query(`CREATE INDEX ix_health_event_deliveries_endpoint ON health_event_deliveries (endpoint_id)`);
    await queryRunner.query(`CREATE INDEX ix_health_event_deliveries_due ON health_event_deliveries (next_attempt_at, id) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX ix_health_event_deliveries_claimed ON health_event_deliveries (locked_until) WHERE status = 'delivering'`);
    await queryRunner.query(`CREATE INDEX ix_health_event_deliveries_status ON health_event_deliveries (status, updated_at, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE health_event_deliveries`);
    await queryRunner.query(`DROP TABLE health_event_endpoints`);
    await queryRunner.query(`DROP TABLE health_events`);
  }
}
