import { MigrationInterface, QueryRunner } from 'typeorm';

const CHECKED = [
  ['installations', 'ck_installations_platform'],
  ['oauth_states', 'ck_oauth_states_platform'],
  ['webhook_tasks', 'ck_webhook_tasks_platform'],
] as const;

/**
 * Sentry as the fourth platform (the `platform` checks of installations, states and tasks), and the webhooks we
 * register at a platform per installation (Jira dynamic webhooks): their ids, expiry and renewal state. Ids and
 * expiry are not secret, so nothing here is encrypted.
 */
export class AddSentryAndWebhookRegistrations1764105000000 implements MigrationInterface {
  name = 'AddSentryAndWebhookRegistrations1764105000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, constraint] of CHECKED) {
      await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
      await queryRunner.query(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (platform IN ('github', 'slack', 'jira', 'sentry'))`);
    }
    await queryRunner.query(`
      CREATE TABLE webhook_registrations (
        installation_id uuid PRIMARY KEY REFERENCES installations (id) ON DELETE CASCADE,
        platform varchar(20) NOT NULL,
        url varchar(1024) NOT NULL,
        external_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
        events jsonb NOT NULL DEFAULT '[]'::jsonb,
        filter text,
        expires_at timestamptz,
        status varchar(16) NOT NULL DEFAULT 'active' CONSTRAINT ck_webhook_registrations_status CHECK (status IN ('active', 'failing', 'deleted')),
        failures integer NOT NULL DEFAULT 0,
        last_error text,
        retry_at timestamptz,
        renewed_at timestamptz,
        failed_cursor bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The renewal job's question: which live registrations expire soon (or have no expiry yet).
    await queryRunner.query(`CREATE INDEX ix_webhook_registrations_expiry ON webhook_registrations (expires_at) WHERE status <> 'deleted'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_registrations`);
    // NOT VALID: existing Sentry rows stay readable as history; only new rows are held to the narrower list.
    for (const [table, constraint] of CHECKED) {
      await queryRunner.query(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
      await queryRunner.query(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (platform IN ('github', 'slack', 'jira')) NOT VALID`);
    }
  }
}
