import { encryptedColumn } from '@bot/crypto';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const PLATFORMS = ['github', 'slack', 'jira', 'sentry'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** `needs_reinstall`: the provider rejected our refresh credentials; only a new install recovers it. */
export const INSTALLATION_STATUSES = ['active', 'suspended', 'needs_reinstall', 'revoked'] as const;
export type InstallationStatus = (typeof INSTALLATION_STATUSES)[number];

/** One install of our bot into one GitHub org/account, Slack team/enterprise, Jira site or Sentry organization. */
@Entity({ name: 'installations' })
export class Installation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 20 })
  platform: Platform;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status: InstallationStatus;

  /** Why the installation is not active (e.g. the provider's refresh error); null when active. */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  @Column({ name: 'external_org_id', type: 'varchar', length: 255 })
  externalOrgId: string;

  @Column({ name: 'external_org_name', type: 'varchar', length: 255, nullable: true })
  externalOrgName: string | null;

  @Column({ name: 'external_install_id', type: 'varchar', length: 255, nullable: true })
  externalInstallId: string | null;

  @Column({ name: 'access_token', type: 'text', nullable: true, transformer: encryptedColumn })
  accessToken: string | null;

  @Column({ name: 'refresh_token', type: 'text', nullable: true, transformer: encryptedColumn })
  refreshToken: string | null;

  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt: Date | null;

  @Column({ name: 'private_key', type: 'text', nullable: true, transformer: encryptedColumn })
  privateKey: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  scopes: string[];

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  permissions: Record<string, string>;

  @Column({ name: 'installed_by', type: 'varchar', length: 255, nullable: true })
  installedBy: string | null;

  @Column({ name: 'webhook_secret', type: 'text', nullable: true, transformer: encryptedColumn })
  webhookSecret: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, unknown>;

  /** Shared by installations created from one authorization (a Jira grant covering several sites). */
  @Column({ name: 'oauth_grant_id', type: 'uuid', nullable: true })
  oauthGrantId: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
