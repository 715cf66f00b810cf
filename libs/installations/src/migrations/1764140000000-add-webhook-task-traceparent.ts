import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C `traceparent` of the request that queued a webhook task (null when tracing was off), so the consumer
 * that processes it continues the same trace. Nullable without a default: adding it rewrites nothing.
 */
export class AddWebhookTaskTraceparent1764140000000 implements MigrationInterface {
  name = 'AddWebhookTaskTraceparent1764140000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_tasks ADD COLUMN traceparent varchar(55)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE webhook_tasks DROP COLUMN traceparent`);
  }
}
