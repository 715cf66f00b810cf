import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Something that happened to an installation or its tokens; never holds a token or secret. */
@Entity({ name: 'audit_events' })
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** Dotted name, e.g. `installation.installed`, `installation.revoked`, `token.refreshed`, `token.used`. */
  @Column({ type: 'varchar', length: 64 })
  event: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  platform: string | null;

  @Column({ name: 'installation_id', type: 'uuid', nullable: true })
  installationId: string | null;

  /** Who caused it: an app name, `admin`, or the platform's user id of the installer. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  actor: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  detail: Record<string, unknown>;
}
