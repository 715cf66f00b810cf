import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operator console reads, indexed so that every page is a short index scan at 100,000 installations and
 * millions of audit rows: keyset paging of installations newest first (alone, by platform, by status, by both),
 * substring search of org names and ids (trigrams), an installation's audit trail newest first, and dead letters.
 * The audit index replaced here is a prefix of the new one. The narrow (platform, status) index stays: the
 * counts per platform and status read it alone (an index-only scan a third the size of the paging indexes).
 */
export class AddConsoleIndexes1764130001000 implements MigrationInterface {
  name = 'AddConsoleIndexes1764130001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX ix_installations_page ON installations (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX ix_installations_page_platform ON installations (platform, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX ix_installations_page_status ON installations (status, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX ix_installations_page_platform_status ON installations (platform, status, created_at DESC, id DESC)`);
    // pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without being superuser.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX ix_installations_org_search ON installations USING gin ((lower(coalesce(external_org_name, '') || ' ' || external_org_id)) gin_trgm_ops)`,
    );

    await queryRunner.query(`CREATE INDEX ix_audit_events_installation_page ON audit_events (installation_id, occurred_at DESC, id DESC)`);
    await queryRunner.query(`DROP INDEX ix_audit_events_installation`);

    // Only dead rows are in these, so the gateway's inserts of pending tasks never touch them.
    await queryRunner.query(`CREATE INDEX ix_webhook_tasks_dead ON webhook_tasks (updated_at DESC, id DESC) WHERE status = 'dead'`);
    await queryRunner.query(`CREATE INDEX ix_webhook_tasks_dead_queue ON webhook_tasks (queue, updated_at DESC, id DESC) WHERE status = 'dead'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_webhook_tasks_dead_queue`);
    await queryRunner.query(`DROP INDEX ix_webhook_tasks_dead`);
    await queryRunner.query(`CREATE INDEX ix_audit_events_installation ON audit_events (installation_id, occurred_at)`);
    await queryRunner.query(`DROP INDEX ix_audit_events_installation_page`);
    await queryRunner.query(`DROP INDEX ix_installations_org_search`);
    await queryRunner.query(`DROP INDEX ix_installations_page_platform_status`);
    await queryRunner.query(`DROP INDEX ix_installations_page_status`);
    await queryRunner.query(`DROP INDEX ix_installations_page_platform`);
    await queryRunner.query(`DROP INDEX ix_installations_page`);
  }
}
