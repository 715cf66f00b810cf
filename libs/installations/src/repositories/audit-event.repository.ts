import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from '../entities/audit-event.entity';

export interface AuditRecord {
  event: string;
  platform?: string | null;
  installationId?: string | null;
  actor?: string | null;
  detail?: Record<string, unknown>;
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

  /** Events of one installation, oldest first. */
  forInstallation(installationId: string): Promise<AuditEvent[]> {
    return this.dataSource.getRepository(AuditEvent).find({ where: { installationId }, order: { id: 'ASC' } });
  }
}
