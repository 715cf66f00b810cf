import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthEventDeliveryStatus } from '@bot/installations';
import { HealthEventType, StoredHealthEvent } from '../health-event';

/** How long the dispatcher keeps trying one delivery before marking it failed. */
export const DELIVERY_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Events (with their deliveries) older than this are deleted. */
export const HEALTH_EVENT_RETENTION_DAYS = 30;

/** A delivery the dispatcher claimed, with its event. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  attempts: number;
  event: StoredHealthEvent;
}

/** A delivery as the console lists it. */
export interface DeliveryListItem {
  id: string;
  status: HealthEventDeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  createdAt: Date;
  endpointUrl: string;
  eventId: string;
  eventType: HealthEventType;
  occurredAt: Date;
  platform: string | null;
  installationId: string | null;
  orgName: string | null;
}

export interface DeliverySummary {
  counts: Record<HealthEventDeliveryStatus, number>;
  /** Events appended but not yet fanned out to endpoints. */
  waitingEvents: number;
  oldestPendingAt: Date | null;
}

export interface DeliveryCursor {
  updatedAt: string;
  id: string;
}

interface ClaimRow {
  id: string;
  endpoint_id: string;
  attempts: number;
  event_id: string;
  type: HealthEventType;
  occurred_at: Date;
  platform: string | null;
  installation_id: string | null;
  org_id: string | null;
  org_name: string | null;
  data: Record<string, unknown>;
}

/**
 * SQL of the delivery side of the outbox: fan-out of new events to endpoints, claims with SKIP LOCKED,
 * outcomes with exponential backoff inside a 24-hour window, and what the console shows.
 */
@Injectable()
export class HealthEventDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates one delivery per endpoint for up to `limit` events not fanned out yet, in one statement; other
   * dispatchers skip the events this one is fanning out. Returns how many events it handled.
   */
  async fanOut(limit: number): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH batch AS (
         SELECT id FROM health_events WHERE fanned_out_at IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
       ),
       deliveries AS (
         INSERT INTO health_event_deliveries (event_id, endpoint_id, retry_until)
         SELECT batch.id, endpoint.id, now() + make_interval(secs => $2::double precision / 1000)
         FROM batch CROSS JOIN health_event_endpoints endpoint
         ON CONFLICT (event_id, endpoint_id) DO NOTHING
       ),
       marked AS (UPDATE health_events SET fanned_out_at = now() WHERE id IN (SELECT id FROM batch) RETURNING id)
       SELECT id FROM marked`,
      [limit, DELIVERY_RETRY_WINDOW_MS],
    );
    return rows.length;
  }

  /**
   * Deliveries whose dispatcher died or stalled past its claim: pending again at once (the attempt counts, so
   * they are sent again with the same event id), or failed when their retry window is over.
   */
  async releaseExpired(): Promise<number> {
    const rows = await this.dataSource.query(
      `WITH released AS (
         UPDATE health_event_deliveries
         SET status = CASE WHEN now() >= retry_until THEN 'failed' ELSE 'pending' END, next_attempt_at = now(), locked_until = NULL,
             last_status = NULL, last_error = 'the dispatcher stopped before the attempt finished', updated_at = now()
         WHERE status = 'delivering' AND locked_until < now()
         RETURNING id)
       SELECT id FROM released`,
    );
    return rows.length;
  }

  /** Claims up to `limit` due deliveries for `lockMs`, skipping rows other dispatchers are claiming; counts the attempt. */
  async claim(dispatcherId: string, limit: number, lockMs: number): Promise<ClaimedDelivery[]> {
    const rows: ClaimRow[] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM health_event_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
       ),
       claimed AS (
         UPDATE health_event_deliveries d
         SET status = 'delivering', attempts = d.attempts + 1, locked_by = $1, last_attempt_at = now(),
             locked_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.endpoint_id, d.attempts, d.event_id
       )
       SELECT claimed.id::text AS id, claimed.endpoint_id, claimed.attempts, claimed.event_id, e.type, e.occurred_at, e.platform,
              e.installation_id, e.org_id, e.org_name, e.data
       FROM claimed JOIN health_events e ON e.id = claimed.event_id
       ORDER BY claimed.id`,
      [dispatcherId, limit, lockMs],
    );
    return rows.map((row) => ({
      id: row.id,
      endpointId: row.endpoint_id,
      attempts: row.attempts,
      event: {
        id: row.event_id,
        type: row.type,
        occurredAt: row.occurred_at,
        platform: row.platform,
        installationId: row.installation_id,
        orgId: row.org_id,
        orgName: row.org_name,
        data: row.data,
      },
    }));
  }

  /** Records a 2xx answer; false when this dispatcher no longer holds the claim. */
  async delivered(id: string, dispatcherId: string, httpStatus: number): Promise<boolean> {
    const rows = await this.dataSource.query(
      `WITH done AS (
         UPDATE health_event_deliveries
         SET status = 'delivered', delivered_at = now(), last_status = $3, last_error = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND status = 'delivering' AND locked_by = $2 RETURNING id)
       SELECT id FROM done`,
      [id, dispatcherId, httpStatus],
    );
    return rows.length === 1;
  }

  /**
   * Records a failed attempt: pending again after `retryInMs` (never later than the end of the retry window, so
   * the last attempt happens at its end), or `failed` once the window is over. Returns the new status, or null
   * when the claim was lost.
   */
  async attemptFailed(id: string, dispatcherId: string, httpStatus: number | null, error: string, retryInMs: number): Promise<'pending' | 'failed' | null> {
    const rows: { status: 'pending' | 'failed' }[] = await this.dataSource.query(
      `WITH failed AS (
         UPDATE health_event_deliveries
         SET status = CASE WHEN now() >= retry_until THEN 'failed' ELSE 'pending' END,
             next_attempt_at = LEAST(now() + make_interval(secs => $5::double precision / 1000), retry_until),
             last_status = $3, last_error = $4, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND status = 'delivering' AND locked_by = $2
         RETURNING status)
       SELECT status FROM failed`,
      [id, dispatcherId, httpStatus, error.slice(0, 1000), retryInMs],
    );
    return rows[0]?.status ?? null;
  }

  /** When the next pending delivery or expired claim is due, or null when nothing waits. */
  async nextDueAt(): Promise<Date | null> {
    const [row]: { at: Date | null }[] = await this.dataSource.query(
      `SELECT LEAST(
         (SELECT min(next_attempt_at) FROM health_event_deliveries WHERE status = 'pending'),
         (SELECT min(locked_until) FROM health_event_deliveries WHERE status = 'delivering')) AS at`,
    );
    return row?.at ?? null;
  }

  /** A failed delivery back to pending with a new 24-hour window (an operator fixed the receiver). */
  async retryFailed(id: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `WITH retried AS (
         UPDATE health_event_deliveries
         SET status = 'pending', next_attempt_at = now(), retry_until = now() + make_interval(secs => $2::double precision / 1000),
             locked_by = NULL, updated_at = now()
         WHERE id = $1 AND status = 'failed' RETURNING id)
       SELECT id FROM retried`,
      [id, DELIVERY_RETRY_WINDOW_MS],
    );
    return rows.length === 1;
  }

  /** Deletes events (and their deliveries) older than the retention period; returns how many events. */
  async purgeOld(): Promise<number> {
    const rows = await this.dataSource.query(
      `WITH purged AS (
         DELETE FROM health_events WHERE occurred_at < now() - make_interval(days => $1) AND fanned_out_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM health_event_deliveries d WHERE d.event_id = health_events.id AND d.status IN ('pending', 'delivering'))
         RETURNING id)
       SELECT id FROM purged`,
      [HEALTH_EVENT_RETENTION_DAYS],
    );
    return rows.length;
  }

  /** Counts by status, events waiting for fan-out and the oldest pending delivery (console). */
  async summary(): Promise<DeliverySummary> {
    const [counts, [waiting]]: [{ status: HealthEventDeliveryStatus; count: string; oldest: Date | null }[], { count: string }[]] = await Promise.all([
      this.dataSource.query(
        `SELECT status, count(*)::text AS count, min(created_at) FILTER (WHERE status = 'pending') AS oldest FROM health_event_deliveries GROUP BY status`,
      ),
      this.dataSource.query(`SELECT count(*)::text AS count FROM health_events WHERE fanned_out_at IS NULL`),
    ]);
    const byStatus: Record<HealthEventDeliveryStatus, number> = { pending: 0, delivering: 0, delivered: 0, failed: 0 };
    for (const row of counts) byStatus[row.status] = Number(row.count);
    return { counts: byStatus, waitingEvents: Number(waiting.count), oldestPendingAt: counts.find((row) => row.status === 'pending')?.oldest ?? null };
  }

  /** Deliveries of one status, most recently changed first, `limit` per page after `cursor` (console). */
  async list(status: HealthEventDeliveryStatus, limit: number, cursor?: DeliveryCursor): Promise<{ items: DeliveryListItem[]; next: DeliveryCursor | null }> {
    const rows: (Record<string, unknown> & { cursor_at: string })[] = await this.dataSource.query(
      `SELECT d.id::text AS id, d.status, d.attempts, d.last_status, d.last_error, d.last_attempt_at, d.next_attempt_at, d.created_at,
              d.updated_at::text AS cursor_at, ep.url AS endpoint_url, e.id AS event_id, e.type, e.occurred_at, e.platform,
              e.installation_id, e.org_name
       FROM health_event_deliveries d
       JOIN health_events e ON e.id = d.event_id
       JOIN health_event_endpoints ep ON ep.id = d.endpoint_id
       WHERE d.status = $1 ${cursor ? 'AND (d.updated_at, d.id) < ($3::timestamptz, $4::bigint)' : ''}
       ORDER BY d.updated_at DESC, d.id DESC
       LIMIT $2`,
      cursor ? [status, limit + 1, cursor.updatedAt, cursor.id] : [status, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row['id'] as string,
        status: row['status'] as HealthEventDeliveryStatus,
        attempts: row['attempts'] as number,
        lastStatus: row['last_status'] as number | null,
        lastError: row['last_error'] as string | null,
        lastAttemptAt: row['last_attempt_at'] as Date | null,
        nextAttemptAt: row['next_attempt_at'] as Date,
        createdAt: row['created_at'] as Date,
        endpointUrl: row['endpoint_url'] as string,
        eventId: row['event_id'] as string,
        eventType: row['type'] as HealthEventType,
        occurredAt: row['occurred_at'] as Date,
        platform: row['platform'] as string | null,
        installationId: row['installation_id'] as string | null,
        orgName: row['org_name'] as string | null,
      })),
      next: rows.length > limit && last ? { updatedAt: last.cursor_at, id: last['id'] as string } : null,
    };
  }
}
