import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const HEALTH_EVENT_DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;
export type HealthEventDeliveryStatus = (typeof HEALTH_EVENT_DELIVERY_STATUSES)[number];

/** One event on its way to one endpoint: attempts, backoff, and the outcome. */
@Entity({ name: 'health_event_deliveries' })
export class HealthEventDelivery {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: HealthEventDeliveryStatus;

  /** Attempts started so far. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** After this, a failed attempt marks the delivery failed instead of scheduling another. */
  @Column({ name: 'retry_until', type: 'timestamptz' })
  retryUntil: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'locked_by', type: 'varchar', length: 128, nullable: true })
  lockedBy: string | null;

  /** HTTP status of the last attempt, or null when it got no answer. */
  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
