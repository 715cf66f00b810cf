import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
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

  /** Records many events in one INSERT (batched token-use events). */
  async recordMany(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AuditEvent)
      .values(
        records.map((record) => ({
          event: record.event,
          platform: record.platform ?? null,
          installationId: record.installationId ?? null,
          actor: record.actor ?? null,
          // jsonb values are serialised by the driver; the cast only satisfies TypeORM's deep-partial typing.
          detail: (record.detail ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
          occurredAt: record.occurredAt ?? new Date(),
        })),
      )
      .updateEntity(false)
      .execute();
  }

  /** Events of one installation, oldest first. */
  forInstallation(installationId: string): Promise<AuditEvent[]> {
    return this.dataSource.getRepository(AuditEvent).find({ where: { installationId }, order: { id: 'ASC' } });
  }
}
