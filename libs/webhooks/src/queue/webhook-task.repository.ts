import { HealthEventOutbox, NewHealthEvent } from '@bot/health-events';
import { SqlExecutor } from './sql-executor';
import {
  DEFAULT_MAX_ATTEMPTS,
  EnqueueResult,
  InstallationRoute,
  NewWebhookTask,
  WEBHOOK_TASK_ENQUEUED_CHANNEL,
  WebhookQueue,
  WebhookTask,
  WebhookTaskStatus,
} from './webhook-task';

interface TaskRow {
  id: string;
  queue: WebhookQueue;
  platform: WebhookQueue;
  installation_id: string | null;
  external_org_id: string | null;
  external_install_id: string | null;
  event_type: string;
  action: string | null;
  delivery_id: string;
  payload: unknown;
  received_at: Date;
  status: WebhookTaskStatus;
  attempts: number;
  max_attempts: number;
  run_after: Date;
  locked_until: Date | null;
  locked_by: string | null;
  last_error: string | null;
  traceparent: string | null;
}

const TASK_COLUMNS_WITHOUT_PAYLOAD = `id::text AS id, queue, platform, installation_id, external_org_id, external_install_id, event_type, action,
  delivery_id, received_at, status, attempts, max_attempts, run_after, locked_until, locked_by, last_error, traceparent`;
const TASK_COLUMNS = `${TASK_COLUMNS_WITHOUT_PAYLOAD}, payload`;

const LIVE = `SELECT id, external_org_id, external_install_id FROM installations WHERE platform = v.platform AND status <> 'revoked'`;

// Deliveries are inserted in batches: one statement, one commit (one WAL flush) for every delivery that arrived
// while the previous batch was being written. Each row finds its installation in a LATERAL lookup whose
// branches are gated on the row's route kind, so each uses its own index; revoked installations never match.
// The unique index on (platform, delivery_id) turns a redelivery into "no row returned" rather than an error.
// Payloads travel as one parameter each ($13, $14, …) rather than in an array: an array literal would make the
// driver escape every quote of every payload, which costs more CPU than the rest of the request. So the text
// depends on the number of rows; it is written for a few sizes only (ENQUEUE_SIZES), the unused payload
// parameters left NULL and their rows dropped (unnest pads the shorter arrays with NULLs), so that each size can
// be a prepared statement: planning this statement costs about as much as executing it for a handful of rows.
const ENQUEUE_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 200];
const enqueueSql = (rows: number) => `
  WITH v AS (
    SELECT input.*, CASE WHEN input.route_values IS NULL THEN NULL ELSE ARRAY(SELECT json_array_elements_text(input.route_values::json)) END AS ids
    FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                ARRAY[${Array.from({ length: rows }, (_, index) => `$${index + 13}::text`).join(', ')}],
                $7::timestamptz[], $8::int[], $9::text[], $10::text[], $11::text[], $12::varchar[])
      WITH ORDINALITY AS input(platform, external_org_id, external_install_id, event_type, action, delivery_id, payload, received_at, max_attempts, route_by, route_value, route_values, traceparent, n)
    WHERE input.platform IS NOT NULL
  ),
  inserted AS (
    INSERT INTO webhook_tasks (queue, platform, installation_id, external_org_id, external_install_id, event_type, action, delivery_id, payload, received_at, max_attempts, traceparent)
    SELECT v.platform, v.platform, t.id, COALESCE(t.external_org_id, v.external_org_id), COALESCE(t.external_install_id, v.external_install_id),
           v.event_type, v.action, v.delivery_id, v.payload::json, v.received_at, v.max_attempts, v.traceparent
    FROM v
    LEFT JOIN LATERAL (
      (${LIVE} AND v.route_by = 'external_install_id' AND external_install_id = v.route_value LIMIT 1)
      UNION ALL
      (${LIVE} AND v.route_by = 'installation_id' AND id = (CASE WHEN v.route_by = 'installation_id' THEN v.route_value END)::uuid)
      UNION ALL
      (${LIVE} AND v.route_by = 'site_url' AND rtrim(lower(metadata->>'url'), '/') = v.route_value LIMIT 1)
      UNION ALL
      (${LIVE} AND v.route_by = 'external_org_ids' AND external_org_id = ANY(v.ids) ORDER BY array_position(v.ids, external_org_id::text) LIMIT 1)
      LIMIT 1
    ) t ON true
    ORDER BY v.n
    ON CONFLICT (platform, delivery_id) DO NOTHING
    RETURNING id, platform, delivery_id, installation_id
  )
  SELECT id::text AS id, platform, delivery_id, installation_id FROM inserted`;
const ENQUEUE_SQL = new Map<number, string>();

/** Which dead letters a console page or a bulk requeue is about; unset fields match everything. */
export interface DeadLetterFilter {
  queue?: WebhookQueue;
  eventType?: string;
}

export interface DeadLetterCursor {
  updatedAt: string;
  id: string;
}

/** A dead task as the console lists it (no payload). */
export interface DeadLetter {
  id: string;
  queue: WebhookQueue;
  platform: WebhookQueue;
  installationId: string | null;
  externalOrgId: string | null;
  /** The installation's org name, when it has one. */
  orgName: string | null;
  eventType: string;
  action: string | null;
  deliveryId: string;
  receivedAt: Date;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  deadAt: Date;
}

export interface QueueCounts {
  queue: string;
  pending: number;
  processing: number;
  dead: number;
  oldestPendingAt: Date | null;
}

export interface QueueStats {
  queues: QueueCounts[];
  /** All rows of the table, finished ones included, from the planner's statistics; null before it was ever analysed. */
  estimatedTotal: number | null;
}

/** One task without its payload, and the start of the payload's JSON text. */
export interface TaskPreview {
  task: Omit<WebhookTask, 'payload'>;
  payloadText: string;
  /** Characters of the whole payload's JSON text. */
  payloadLength: number;
}

interface DeadLetterRow {
  id: string;
  queue: WebhookQueue;
  platform: WebhookQueue;
  installation_id: string | null;
  external_org_id: string | null;
  org_name: string | null;
  event_type: string;
  action: string | null;
  delivery_id: string;
  received_at: Date;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  updated_at: Date;
  cursor_at: string;
}

/** A delivery to enqueue with the way it finds its installation. */
export interface EnqueueItem {
  task: NewWebhookTask;
  route: InstallationRoute;
}

/**
 * The durable webhook task queue (table `webhook_tasks`): the gateway enqueues, consumers claim with
 * `FOR UPDATE SKIP LOCKED`, complete, or fail into a backoff retry and finally the dead letter status.
 * Pass a transaction's executor to write a task together with the change it belongs to.
 */
export class WebhookTaskRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly events = new HealthEventOutbox(),
  ) {}

  /** Inserts the task unless its delivery id was seen before; routes it to its installation in the same statement. */
  async enqueue(task: NewWebhookTask, route: InstallationRoute, executor: SqlExecutor = this.db): Promise<EnqueueResult> {
    return (await this.enqueueMany([{ task, route }], executor))[0];
  }

  /**
   * Inserts many deliveries in one statement (so one commit), in order; the result at each index belongs to the
   * item at that index. A delivery id repeated within the batch or seen before is reported as a duplicate.
   */
  async enqueueMany(items: readonly EnqueueItem[], executor: SqlExecutor = this.db): Promise<EnqueueResult[]> {
    const column = <T>(pick: (item: EnqueueItem) => T) => items.map(pick);
    const size = ENQUEUE_SIZES.find((candidate) => candidate >= items.length) ?? items.length;
    let sql = ENQUEUE_SQL.get(size);
    if (!sql) ENQUEUE_SQL.set(size, (sql = enqueueSql(size)));
    const unusedPayloads = Array.from({ length: size - items.length }, () => null);
    const rows = await executor.query<{ id: string; platform: string; delivery_id: string; installation_id: string | null }>(sql, [
      column((item) => item.task.platform),
      column((item) => item.task.externalOrgId ?? null),
      column((item) => item.task.externalInstallId ?? null),
      column((item) => item.task.eventType),
      column((item) => item.task.action),
      column((item) => item.task.deliveryId),
      column((item) => item.task.receivedAt),
      column((item) => item.task.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      column((item) => item.route.by),
      column((item) => (item.route.by === 'none' || item.route.by === 'external_org_ids' ? null : item.route.value)),
      column((item) => (item.route.by === 'external_org_ids' ? JSON.stringify(item.route.values) : null)),
      column((item) => item.task.traceparent ?? null),
      ...column((item) => item.task.payloadJson),
      ...unusedPayloads,
    ], `webhook_tasks_enqueue_${size}`);
    const inserted = new Map(rows.map((row) => [`${row.platform}\n${row.delivery_id}`, row]));
    return items.map((item) => {
      const key = `${item.task.platform}\n${item.task.deliveryId}`;
      const row = inserted.get(key);
      if (!row) return { duplicate: true };
      // Only the first copy of a delivery within the batch is the one that was inserted.
      inserted.delete(key);
      return { duplicate: false, taskId: row.id, installationId: row.installation_id };
    });
  }

  /** Points a task at an installation created in the same transaction (GitHub `installation.created`). */
  async attachInstallation(taskId: string, installation: { id: string; externalOrgId: string; externalInstallId: string | null }, executor: SqlExecutor = this.db): Promise<void> {
    await executor.query(
      `WITH updated AS (
         UPDATE webhook_tasks SET installation_id = $2, external_org_id = $3, external_install_id = COALESCE($4, external_install_id), updated_at = now()
         WHERE id = $1 RETURNING id)
       SELECT id FROM updated`,
      [taskId, installation.id, installation.externalOrgId, installation.externalInstallId],
    );
  }

  /** Wakes LISTENing consumers of `queue`; delivered at commit when run inside a transaction. */
  async notifyEnqueued(queue: WebhookQueue, executor: SqlExecutor = this.db): Promise<void> {
    await executor.query(`SELECT pg_notify($1, $2) AS notified`, [WEBHOOK_TASK_ENQUEUED_CHANNEL, queue]);
  }

  /**
   * Claims up to `limit` due tasks of the queues for `lockMs`: marks them processing, counts the attempt and
   * records the consumer. Rows another consumer is claiming at the same moment are skipped, never waited for.
   */
  async claim(queues: readonly WebhookQueue[], consumerId: string, limit: number, lockMs: number): Promise<WebhookTask[]> {
    const rows = await this.db.query<TaskRow>(
      `WITH due AS (
         SELECT id FROM webhook_tasks
         WHERE queue = ANY($1::text[]) AND status = 'pending' AND run_after <= now()
         ORDER BY run_after, id
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ),
       claimed AS (
         UPDATE webhook_tasks t
         SET status = 'processing', attempts = t.attempts + 1, locked_by = $2,
             locked_until = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
         FROM due WHERE t.id = due.id
         RETURNING t.*
       )
       SELECT ${TASK_COLUMNS} FROM claimed ORDER BY run_after, id`,
      [queues, consumerId, limit, lockMs],
    );
    return rows.map(toTask);
  }

  /** Marks a claimed task done; false when the claim was lost (the lock expired and someone else took it). */
  async complete(taskId: string, consumerId: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH done AS (
         UPDATE webhook_tasks SET status = 'done', locked_until = NULL, last_error = NULL, updated_at = now()
         WHERE id = $1 AND status = 'processing' AND locked_by = $2 RETURNING id)
       SELECT id FROM done`,
      [taskId, consumerId],
    );
    return rows.length === 1;
  }

  /**
   * Records a failed attempt: back to pending after `retryInMs`, or `dead` once the task has used its attempts
   * (with a `webhook.dead_lettered` health event in the same transaction). Returns the new status, or null when
   * the claim was lost.
   */
  async fail(taskId: string, consumerId: string, error: string, retryInMs: number): Promise<'pending' | 'dead' | null> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<OutcomeRow>(
        `WITH failed AS (
           UPDATE webhook_tasks
           SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
               run_after = now() + make_interval(secs => $4::double precision / 1000),
               locked_until = NULL, last_error = $3, updated_at = now()
           WHERE id = $1 AND status = 'processing' AND locked_by = $2
           RETURNING ${OUTCOME_COLUMNS})
         SELECT ${OUTCOME_SELECT} FROM failed`,
        [taskId, consumerId, error.slice(0, 2000), retryInMs],
      );
      await this.events.appendAll(tx, rows.filter((row) => row.status === 'dead').map(deadLetteredEvent));
      return (rows[0]?.status as 'pending' | 'dead' | undefined) ?? null;
    });
  }

  /**
   * Tasks whose consumer died or stalled past the lock: back to pending (the attempt counts), or dead when
   * that was the last attempt (with its health event). Returns how many were released.
   */
  async releaseExpired(queues: readonly WebhookQueue[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<OutcomeRow>(
        `WITH released AS (
           UPDATE webhook_tasks
           SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
               last_error = 'the consumer did not finish before its lock expired', locked_until = NULL, updated_at = now()
           WHERE queue = ANY($1::text[]) AND status = 'processing' AND locked_until < now()
           RETURNING ${OUTCOME_COLUMNS})
         SELECT ${OUTCOME_SELECT} FROM released`,
        [queues],
      );
      await this.events.appendAll(tx, rows.filter((row) => row.status === 'dead').map(deadLetteredEvent));
      return rows.length;
    });
  }

  /** Puts a dead task back in the queue with a fresh set of attempts (after fixing what killed it); false when it is not dead. */
  async requeueDead(taskId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ queue: WebhookQueue }>(
        `WITH requeued AS (
           UPDATE webhook_tasks SET status = 'pending', attempts = 0, run_after = now(), locked_by = NULL, updated_at = now()
           WHERE id = $1 AND status = 'dead' RETURNING queue)
         SELECT queue FROM requeued`,
        [taskId],
      );
      if (rows[0]) await this.notifyEnqueued(rows[0].queue, tx);
      return rows.length === 1;
    });
  }

  /**
   * Requeues every dead task matching the filter (as `requeueDead` does one); returns how many. Repeating it
   * finds nothing more to requeue, so a double submit changes nothing.
   */
  async requeueDeadMatching(filter: DeadLetterFilter): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ queue: WebhookQueue; count: string }>(
        `WITH requeued AS (
           UPDATE webhook_tasks SET status = 'pending', attempts = 0, run_after = now(), locked_by = NULL, updated_at = now()
           WHERE status = 'dead' AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR event_type = $2)
           RETURNING queue)
         SELECT queue, count(*)::text AS count FROM requeued GROUP BY queue`,
        [filter.queue ?? null, filter.eventType ?? null],
      );
      for (const row of rows) await this.notifyEnqueued(row.queue, tx);
      return rows.reduce((total, row) => total + Number(row.count), 0);
    });
  }

  /**
   * Counts per queue of pending, processing and dead tasks, and the oldest pending delivery's arrival. Each count
   * reads only its status's partial index; finished tasks are not counted (there can be millions), only estimated.
   */
  async stats(): Promise<QueueStats> {
    const [rows, [estimate]] = await Promise.all([
      this.db.query<{ queue: WebhookQueue; status: WebhookTaskStatus; count: string; oldest: Date | null }>(
        `SELECT queue, 'pending' AS status, count(*)::text AS count, min(received_at) AS oldest FROM webhook_tasks WHERE status = 'pending' GROUP BY queue
         UNION ALL
         SELECT queue, 'processing', count(*)::text, NULL FROM webhook_tasks WHERE status = 'processing' GROUP BY queue
         UNION ALL
         SELECT queue, 'dead', count(*)::text, NULL FROM webhook_tasks WHERE status = 'dead' GROUP BY queue`,
      ),
      this.db.query<{ estimate: string }>(`SELECT reltuples::bigint::text AS estimate FROM pg_class WHERE oid = 'webhook_tasks'::regclass`),
    ]);
    const queues = new Map<string, QueueCounts>();
    for (const row of rows) {
      const counts = queues.get(row.queue) ?? { queue: row.queue, pending: 0, processing: 0, dead: 0, oldestPendingAt: null };
      counts[row.status as 'pending' | 'processing' | 'dead'] = Number(row.count);
      if (row.status === 'pending') counts.oldestPendingAt = row.oldest;
      queues.set(row.queue, counts);
    }
    const estimated = Number(estimate?.estimate ?? -1);
    return { queues: [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)), estimatedTotal: estimated >= 0 ? estimated : null };
  }

  /** How many dead tasks match the filter. */
  async countDead(filter: DeadLetterFilter): Promise<number> {
    const [row] = await this.db.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM webhook_tasks WHERE status = 'dead' AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR event_type = $2)`,
      [filter.queue ?? null, filter.eventType ?? null],
    );
    return Number(row?.count ?? 0);
  }

  /** Dead tasks matching the filter, most recently dead first, `limit` per page after `cursor`. */
  async listDead(filter: DeadLetterFilter, limit: number, cursor?: DeadLetterCursor): Promise<{ items: DeadLetter[]; next: DeadLetterCursor | null }> {
    const params: unknown[] = [limit + 1, filter.queue ?? null, filter.eventType ?? null];
    if (cursor) params.push(cursor.updatedAt, cursor.id);
    const rows = await this.db.query<DeadLetterRow>(
      `SELECT t.id::text AS id, t.queue, t.platform, t.installation_id, t.external_org_id, i.external_org_name AS org_name, t.event_type, t.action,
              t.delivery_id, t.received_at, t.attempts, t.max_attempts, left(t.last_error, 300) AS last_error, t.updated_at, t.updated_at::text AS cursor_at
       FROM webhook_tasks t
       LEFT JOIN installations i ON i.id = t.installation_id
       WHERE t.status = 'dead' AND ($2::text IS NULL OR t.queue = $2) AND ($3::text IS NULL OR t.event_type = $3)
         ${cursor ? 'AND (t.updated_at, t.id) < ($4::timestamptz, $5::bigint)' : ''}
       ORDER BY t.updated_at DESC, t.id DESC
       LIMIT $1`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        queue: row.queue,
        platform: row.platform,
        installationId: row.installation_id,
        externalOrgId: row.external_org_id,
        orgName: row.org_name,
        eventType: row.event_type,
        action: row.action,
        deliveryId: row.delivery_id,
        receivedAt: row.received_at,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        lastError: row.last_error,
        deadAt: row.updated_at,
      })),
      next: rows.length > limit && last ? { updatedAt: last.cursor_at, id: last.id } : null,
    };
  }

  /**
   * One task with at most `maxPayloadChars` characters of its payload's JSON text (the database cuts it, so a
   * 25 MB payload never reaches this process), or null.
   */
  async preview(taskId: string, maxPayloadChars: number): Promise<TaskPreview | null> {
    const rows = await this.db.query<Omit<TaskRow, 'payload'> & { payload_text: string; payload_length: string }>(
      `SELECT ${TASK_COLUMNS_WITHOUT_PAYLOAD}, left(payload::text, $2) AS payload_text, length(payload::text)::text AS payload_length
       FROM webhook_tasks WHERE id = $1`,
      [taskId, maxPayloadChars],
    );
    const row = rows[0];
    if (!row) return null;
    const { payload: _payload, ...task } = toTask({ ...row, payload: null });
    return { task, payloadText: row.payload_text, payloadLength: Number(row.payload_length) };
  }

  /** One task by id, or null. */
  async findById(taskId: string): Promise<WebhookTask | null> {
    const rows = await this.db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM webhook_tasks WHERE id = $1`, [taskId]);
    return rows[0] ? toTask(rows[0]) : null;
  }

  /** Deletes finished tasks older than `olderThan`; a redelivery older than that would be queued again. */
  async purgeDone(olderThan: Date): Promise<number> {
    const rows = await this.db.query(
      `WITH purged AS (DELETE FROM webhook_tasks WHERE status = 'done' AND updated_at < $1 RETURNING id) SELECT id FROM purged`,
      [olderThan],
    );
    return rows.length;
  }
}

interface OutcomeRow {
  id: string;
  status: WebhookTaskStatus;
  queue: WebhookQueue;
  platform: WebhookQueue;
  installation_id: string | null;
  external_org_id: string | null;
  org_name: string | null;
  event_type: string;
  action: string | null;
  delivery_id: string;
  attempts: number;
  last_error: string | null;
}

const OUTCOME_COLUMNS = `id, status, queue, platform, installation_id, external_org_id, event_type, action, delivery_id, attempts, last_error`;
const OUTCOME_SELECT = `id::text AS id, status, queue, platform, installation_id, external_org_id, event_type, action, delivery_id, attempts, last_error,
  (SELECT external_org_name FROM installations i WHERE i.id = installation_id) AS org_name`;

function deadLetteredEvent(row: OutcomeRow): NewHealthEvent {
  const org = { id: row.external_org_id, name: row.org_name };
  return {
    type: 'webhook.dead_lettered',
    installation: row.installation_id ? { id: row.installation_id, platform: row.platform, externalOrgId: row.external_org_id ?? '', externalOrgName: row.org_name } : null,
    platform: row.platform,
    org,
    data: {
      task_id: row.id,
      queue: row.queue,
      event_type: row.event_type,
      action: row.action,
      delivery_id: row.delivery_id,
      attempts: row.attempts,
      last_error: row.last_error,
    },
  };
}

function toTask(row: TaskRow): WebhookTask {
  return {
    id: row.id,
    queue: row.queue,
    platform: row.platform,
    installationId: row.installation_id,
    externalOrgId: row.external_org_id,
    externalInstallId: row.external_install_id,
    eventType: row.event_type,
    action: row.action,
    deliveryId: row.delivery_id,
    payload: row.payload,
    receivedAt: row.received_at,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    lockedUntil: row.locked_until,
    lockedBy: row.locked_by,
    lastError: row.last_error,
    traceparent: row.traceparent,
  };
}
