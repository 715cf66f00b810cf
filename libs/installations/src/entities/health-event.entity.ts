import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One outbox row: written in the transaction of the change it reports, fanned out to endpoints by the dispatcher. */
@Entity({ name: 'health_events' })
export class HealthEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** e.g. `installation.needs_reinstall`; the list is HEALTH_EVENT_TYPES of @bot/health-events. */
  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 20, nullable: true })
  platform: string | null;

  @Column({ name: 'installation_id', type: 'uuid', nullable: true })
  installationId: string | null;

  @Column({ name: 'org_id', type: 'varchar', length: 255, nullable: true })
  orgId: string | null;

  @Column({ name: 'org_name', type: 'varchar', length: 255, nullable: true })
  orgName: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  data: Record<string, unknown>;

  /** Set once the dispatcher created a delivery per endpoint; null while waiting. */
  @Column({ name: 'fanned_out_at', type: 'timestamptz', nullable: true })
  fannedOutAt: Date | null;
}
