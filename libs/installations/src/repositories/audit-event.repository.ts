import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';

export interface AuditRecord {
  event: string;
  platform?: string | null;
  installationId?: string | null;
  actor?: string | null;
  detail?: Record<string, unknown>;
  /** When it happened, if not now (events recorded in batches). */
  occurredAt?: Date;
}

/** Appends audit events; pass the transaction's manager to commit the event with the change it describes. */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records one event. */
  async record(record: AuditRecord, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const event = manager.create(AuditEvent, {
      event: record.event,
      platform: record.platform ?? null,
      installationId: record.installationId ?? null,
      actor: record.actor ?? null,
      detail: record.detail ?? {},
    });
    await manager.getRepository(AuditEvent).save(event, { reload: false });
  }

  /** Records many events in one INSERT of seven array parameters (batched token-use events). */
  async recordMany(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = new Date();
    await this.dataSource.query(
      `INSERT INTO audit_events (occurred_at, event, platform, installation_id, actor, detail)
       SELECT * FROM unnest($1::timestamptz[], $2::varchar[], $3::varchar[], $4::uuid[], $5::varchar[], $6::jsonb[])`,
      [
        records.map((record) => (record.occurredAt ?? now).toISOString()),
        records.map((record) => record.event),
        records.map((record) => record.platform ?? null),
        records.map((record) => record.installationId ?? null),
        records.map((record) => record.actor ?? null),
        records.map((record) => JSON.stringify(record.detail ?? {})),
      ],
    );
  }

  /** Events of one installation, oldest first. */
  forInstallation(installationId: string): Promise<AuditEvent[]> {
    return this.dataSource.getRepository(AuditEvent).find({ where: { installationId }, order: { id: 'ASC' } });
  }
}
