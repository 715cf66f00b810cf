import { Injectable } from '@nestjs/common';
import { HealthEventSubject, NewHealthEvent } from '../health-event';

/**
 * Runs one SQL statement: a TypeORM EntityManager (the causing transaction's), a pg Client inside BEGIN … COMMIT,
 * or the webhook queue's executor. The outbox never opens a transaction of its own.
 */
export interface OutboxWriter {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** PostgreSQL channel notified when events are appended (at the commit of the appending transaction). */
export const HEALTH_EVENT_APPENDED_CHANNEL = 'health_event_appended';

/**
 * The transactional outbox of health events. Appending is an INSERT in the caller's transaction, so an event
 * exists exactly when the change it reports was committed; the dispatcher sends it afterwards.
 */
@Injectable()
export class HealthEventOutbox {
  /** Appends `event` in the transaction `db` runs in; it is sent only if that transaction commits. */
  append(db: OutboxWriter, event: NewHealthEvent): Promise<void> {
    return this.appendAll(db, [event]);
  }

  /** Appends several events in one statement (e.g. every site of a Jira grant that needs re-installing). */
  async appendAll(db: OutboxWriter, events: readonly NewHealthEvent[]): Promise<void> {
    if (events.length === 0) return;
    await db.query(
      `WITH appended AS (
         INSERT INTO health_events (type, platform, installation_id, org_id, org_name, data)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::uuid[], $4::varchar[], $5::varchar[], $6::jsonb[])
         RETURNING id)
       SELECT pg_notify($7, '') FROM appended LIMIT 1`,
      [
        events.map((event) => event.type),
        events.map((event) => event.installation?.platform ?? event.platform ?? null),
        events.map((event) => event.installation?.id ?? null),
        events.map((event) => (event.installation ? event.installation.externalOrgId : (event.org?.id ?? null))),
        events.map((event) => (event.installation ? event.installation.externalOrgName : (event.org?.name ?? null))),
        events.map((event) => JSON.stringify(event.data ?? {})),
        HEALTH_EVENT_APPENDED_CHANNEL,
      ],
    );
  }

  /**
   * Appends `event` unless the same type was already appended for its installation within `windowMs` (as seen
   * by this transaction). For repeating symptoms, such as refreshes failing on every request while a platform
   * is down, so an endpoint hears about it without being flooded.
   */
  async appendUnlessRecent(db: OutboxWriter, event: NewHealthEvent & { installation: HealthEventSubject }, windowMs: number): Promise<void> {
    await db.query(
      `WITH appended AS (
         INSERT INTO health_events (type, platform, installation_id, org_id, org_name, data)
         SELECT $1::varchar, $2::varchar, $3::uuid, $4::varchar, $5::varchar, $6::jsonb
         WHERE NOT EXISTS (
           SELECT 1 FROM health_events
           WHERE installation_id = $3::uuid AND type = $1::varchar AND occurred_at > now() - make_interval(secs => $7::double precision / 1000))
         RETURNING id)
       SELECT pg_notify($8, '') FROM appended`,
      [
        event.type,
        event.installation.platform,
        event.installation.id,
        event.installation.externalOrgId,
        event.installation.externalOrgName,
        JSON.stringify(event.data ?? {}),
        windowMs,
        HEALTH_EVENT_APPENDED_CHANNEL,
      ],
    );
  }
}

/**
 * The events of an install or re-install, given what the row was before (null: it is new). `installation.created`
 * for a new row; else `installation.reinstalled`, plus `installation.recovered` when the row was waiting for a
 * re-install (`needs_reinstall`). A live row recorded again with the same platform installation id is the same
 * install seen twice (GitHub reports one install through the callback and the installation webhook): no event.
 */
export function installationUpsertEvents(
  installation: HealthEventSubject,
  previous: { status: string; externalInstallId: string | null } | null,
  data: Record<string, unknown> = {},
): NewHealthEvent[] {
  if (previous === null) return [{ type: 'installation.created', installation, data }];
  const sameInstall = previous.status === 'active' && previous.externalInstallId !== null && previous.externalInstallId === installation.externalInstallId;
  if (sameInstall) return [];
  const events: NewHealthEvent[] = [{ type: 'installation.reinstalled', installation, data: { ...data, previous_status: previous.status } }];
  if (previous.status === 'needs_reinstall') events.push({ type: 'installation.recovered', installation, data: { ...data, previous_status: previous.status } });
  return events;
}
