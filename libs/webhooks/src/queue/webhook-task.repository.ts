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
}

const TASK_COLUMNS = `id::text AS id, queue, platform, installation_id, external_org_id, external_install_id, event_type, action,
  delivery_id, payload, received_at, status, attempts, max_attempts, run_after, locked_until, locked_by, last_error`;

const LIVE = `SELECT id, external_org_id, external_install_id FROM installations WHERE platform = v.platform AND status <> 'revoked'`;

// Deliveries are inserted in batches: one statement, one commit (one WAL flush) for every delivery that arrived
// while the previous batch was being written. Each row finds its installation in a LATERAL lookup whose
// branches are gated on the row's route kind, so each uses its own index; revoked installations never match.
// The unique index on (platform, delivery_id) turns a redelivery into "no row returned" rather than an error.
// Payloads travel as one parameter each ($12, $13, …) rather than in an array: an array literal would make the
// driver escape every quote of every payload, which costs more CPU than the rest of the request.
const enqueueSql = (rows: number) => `
  WITH v AS (
    SELECT input.*, CASE WHEN input.route_values IS NULL THEN NULL ELSE ARRAY(SELECT json_array_elements_text(input.route_values::json)) END AS ids
    FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                ARRAY[${Array.from({ length: rows }, (_, index) => `$${index + 12}::text`).join(', ')}],
                $7::timestamptz[], $8::int[], $9::text[], $10::text[], $11::text[])
      WITH ORDINALITY AS input(platform, external_org_id, external_install_id, event_type, action, delivery_id, payload, received_at, max_attempts, route_by, route_value, route_values, n)
  ),
  inserted AS (
    INSERT INTO webhook_tasks (queue, platform, installation_id, external_org_id, external_install_id, event_type, action, delivery_id, payload, received_at, max_attempts)
    SELECT v.platform, v.platform, t.id, COALESCE(t.external_org_id, v.external_org_id), COALESCE(t.external_install_id, v.external_install_id),
           v.event_type, v.action, v.delivery_id, v.payload::json, v.received_at, v.max_attempts
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
  constructor(private readonly db: SqlExecutor) {}

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
    let sql = ENQUEUE_SQL.get(items.length);
    if (!sql) ENQUEUE_SQL.set(items.length, (sql = enqueueSql(items.length)));
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
      ...column((item) => item.task.payloadJson),
    ]);
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
   * Records a failed attempt: back to pending after `retryInMs`, or `dead` once the task has used its attempts.
   * Returns the new status, or null when the claim was lost.
   */
  async fail(taskId: string, consumerId: string, error: string, retryInMs: number): Promise<'pending' | 'dead' | null> {
    const rows = await this.db.query<{ status: 'pending' | 'dead' }>(
      `WITH failed AS (
         UPDATE webhook_tasks
         SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
             run_after = now() + make_interval(secs => $4::double precision / 1000),
             locked_until = NULL, last_error = $3, updated_at = now()
         WHERE id = $1 AND status = 'processing' AND locked_by = $2
         RETURNING status)
       SELECT status FROM failed`,
      [taskId, consumerId, error.slice(0, 2000), retryInMs],
    );
    return rows[0]?.status ?? null;
  }

  /**
   * Tasks whose consumer died or stalled past the lock: back to pending (the attempt counts), or dead when
   * that was the last attempt. Returns how many were released.
   */
  async releaseExpired(queues: readonly WebhookQueue[]): Promise<number> {
    const rows = await this.db.query(
      `WITH released AS (
         UPDATE webhook_tasks
         SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
             last_error = 'the consumer did not finish before its lock expired', locked_until = NULL, updated_at = now()
         WHERE queue = ANY($1::text[]) AND status = 'processing' AND locked_until < now()
         RETURNING id)
       SELECT id FROM released`,
      [queues],
    );
    return rows.length;
  }

  /** Puts a dead task back in the queue with a fresh set of attempts (after fixing what killed it). */
  async requeueDead(taskId: string): Promise<boolean> {
    const rows = await this.db.query(
      `WITH requeued AS (
         UPDATE webhook_tasks SET status = 'pending', attempts = 0, run_after = now(), locked_by = NULL, updated_at = now()
         WHERE id = $1 AND status = 'dead' RETURNING id)
       SELECT id FROM requeued`,
      [taskId],
    );
    return rows.length === 1;
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
  };
}
