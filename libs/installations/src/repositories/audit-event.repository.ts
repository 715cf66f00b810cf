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

/** A position in an installation's audit trail, newest first; `occurredAt` keeps PostgreSQL's microseconds. */
export interface AuditCursor {
  occurredAt: string;
  id: string;
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

  /** One page of an installation's events, newest first, after `cursor` (keyset on the installation's index). */
  async pageForInstallation(installationId: string, limit: number, cursor?: AuditCursor): Promise<{ events: AuditEvent[]; next: AuditCursor | null }> {
    const rows: (AuditEvent & { cursorAt: string })[] = await this.dataSource.query(
      `SELECT id::text AS id, occurred_at AS "occurredAt", event, platform, installation_id AS "installationId", actor, detail, occurred_at::text AS "cursorAt"
       FROM audit_events
       WHERE installation_id = $1 ${cursor ? 'AND (occurred_at, id) < ($3::timestamptz, $4::bigint)' : ''}
       ORDER BY occurred_at DESC, id DESC
       LIMIT $2`,
      cursor ? [installationId, limit + 1, cursor.occurredAt, cursor.id] : [installationId, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      events: page.map(({ cursorAt: _cursorAt, ...event }) => Object.assign(new AuditEvent(), event)),
      next: rows.length > limit && last ? { occurredAt: last.cursorAt, id: last.id } : null,
    };
  }

  /** Events of one installation, oldest first. */
  forInstallation(installationId: string): Promise<AuditEvent[]> {
    return this.dataSource.getRepository(AuditEvent).find({ where: { installationId }, order: { id: 'ASC' } });
  }
}
