import { encryptedColumn } from '@bot/crypto';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `env`: from EVENT_WEBHOOK_URLS, signed with EVENT_WEBHOOK_SECRET; `api`: registered by an admin with its own secret. */
export type HealthEventEndpointSource = 'env' | 'api';

/** An operator's URL that receives every health event. */
@Entity({ name: 'health_event_endpoints' })
export class HealthEventEndpoint {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 8 })
  source: HealthEventEndpointSource;

  /** The signing secret of an `api` endpoint (null for `env` ones, which use EVENT_WEBHOOK_SECRET). */
  @Column({ type: 'text', nullable: true, transformer: encryptedColumn })
  secret: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
