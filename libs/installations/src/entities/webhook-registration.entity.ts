import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Platform } from './installation.entity';

/** `failing`: the last registration or renewal failed and is retried at `retry_at`; `deleted`: removed on revoke. */
export const WEBHOOK_REGISTRATION_STATUSES = ['active', 'failing', 'deleted'] as const;
export type WebhookRegistrationStatus = (typeof WEBHOOK_REGISTRATION_STATUSES)[number];

/** The webhooks our app registered at a platform for one installation (Jira dynamic webhooks of one site). */
@Entity({ name: 'webhook_registrations' })
export class WebhookRegistration {
  @PrimaryColumn({ name: 'installation_id', type: 'uuid' })
  installationId: string;

  @Column({ type: 'varchar', length: 20 })
  platform: Platform;

  /** Where the platform delivers (api-gateway's public URL). */
  @Column({ type: 'varchar', length: 1024 })
  url: string;

  /** The platform's ids of the registered webhooks (Jira `createdWebhookId`s). */
  @Column({ name: 'external_ids', type: 'jsonb', default: () => "'[]'::jsonb" })
  externalIds: number[];

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  events: string[];

  /** Which items the webhooks cover (Jira: the JQL filter). */
  @Column({ type: 'text', nullable: true })
  filter: string | null;

  /** When the platform stops delivering unless renewed; null until known. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: WebhookRegistrationStatus;

  /** Consecutive failed attempts to register or renew; 0 after a success. */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  /** The last failure, for the installation's status detail; never a token. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** Not before this time is a failed registration tried again (backoff). */
  @Column({ name: 'retry_at', type: 'timestamptz', nullable: true })
  retryAt: Date | null;

  @Column({ name: 'renewed_at', type: 'timestamptz', nullable: true })
  renewedAt: Date | null;

  /** Recovery cursor: failure time (ms) of the newest failed delivery already re-queued. */
  @Column({ name: 'failed_cursor', type: 'bigint', nullable: true, transformer: { to: (value: number | null) => value, from: (value: string | null) => (value === null ? null : Number(value)) } })
  failedCursor: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
