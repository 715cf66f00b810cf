import { MigrationInterface, QueryRunner } from 'typeorm';

/** Installations and OAuth states, with the one-live-installation rule enforced by partial unique indexes. */
export class CreateInstallations1764050000000 implements MigrationInterface {
  name = 'CreateInstallations1764050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE installations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        platform varchar(20) NOT NULL CONSTRAINT ck_installations_platform CHECK (platform IN ('github', 'slack', 'jira')),
        status varchar(20) NOT NULL DEFAULT 'active'
          CONSTRAINT ck_installations_status CHECK (status IN ('active', 'suspended', 'needs_reinstall', 'revoked')),
        status_reason text,
        external_org_id varchar(255) NOT NULL,
        external_org_name varchar(255),
        external_install_id varchar(255),
        access_token text,
        refresh_token text,
        token_expires_at timestamptz,
        private_key text,
        scopes jsonb NOT NULL DEFAULT '[]'::jsonb,
        permissions jsonb NOT NULL DEFAULT '{}'::jsonb,
        installed_by varchar(255),
        webhook_secret text,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_installations_revoked_at CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX ix_installations_platform_status ON installations (platform, status)`);
    await queryRunner.query(`CREATE INDEX ix_installations_platform_org ON installations (platform, external_org_id)`);
    // Revoked rows stay as history, so uniqueness covers live rows only.
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_installations_live_org ON installations (platform, external_org_id) WHERE status <> 'revoked'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_installations_live_install ON installations (platform, external_install_id)
       WHERE status <> 'revoked' AND external_install_id IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE oauth_states (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        state varchar(128) NOT NULL,
        platform varchar(20) NOT NULL CONSTRAINT ck_oauth_states_platform CHECK (platform IN ('github', 'slack', 'jira')),
        code_verifier text,
        redirect_uri varchar(512),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX ux_oauth_states_state ON oauth_states (state)`);
    await queryRunner.query(`CREATE INDEX ix_oauth_states_expires_at ON oauth_states (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE oauth_states`);
    await queryRunner.query(`DROP TABLE installations`);
  }
}
