import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit trail of installs, refreshes, revocations and token use; and the OAuth grant id that ties together
 * the installations created from one authorization (a Jira grant covering several sites shares its tokens).
 */
export class AddAuditEventsAndGrants1764060000000 implements MigrationInterface {
  name = 'AddAuditEventsAndGrants1764060000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE installations ADD COLUMN oauth_grant_id uuid`);
    await queryRunner.query(`CREATE INDEX ix_installations_oauth_grant ON installations (oauth_grant_id) WHERE oauth_grant_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        event varchar(64) NOT NULL,
        platform varchar(20),
        installation_id uuid,
        actor varchar(255),
        detail jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_installation ON audit_events (installation_id, occurred_at)`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_event ON audit_events (event, occurred_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
    await queryRunner.query(`DROP INDEX ix_installations_oauth_grant`);
    await queryRunner.query(`ALTER TABLE installations DROP COLUMN oauth_grant_id`);
  }
}
