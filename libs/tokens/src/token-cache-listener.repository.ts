import { Injectable } from '@nestjs/common';
import type { ClientBase } from 'pg';
import { DataSource } from 'typeorm';

/** PostgreSQL channel of revocation barriers; the payload is the barrier's revision. */
export const TOKEN_CACHE_BARRIER_CHANNEL = 'token_cache_barrier';

/** Listener rows silent for this long belong to processes that are gone; they are deleted when another registers. */
const PRUNE_AFTER = '10 minutes';

/** One API process's change listener as a revoker sees it. */
export interface TokenCacheListenerState {
  id: string;
  app: string;
  host: string;
  pid: number;
  leaseMs: number;
  /** It has processed the barrier asked about (and so every change committed before it). */
  acked: boolean;
  /** Its last heartbeat is older than its lease: it serves no cached token until it heartbeats again. */
  leaseExpired: boolean;
  /** Milliseconds since its last heartbeat. */
  silentMs: number;
}

/** Who a listener row belongs to. */
export interface TokenCacheListenerIdentity {
  id: string;
  app: string;
  host: string;
  pid: number;
  leaseMs: number;
}

/**
 * SQL of the revocation handshake: listener rows (registered, renewed and acknowledged on each API process's
 * own LISTEN connection) and the barrier revision that revokers publish and wait for.
 */
@Injectable()
export class TokenCacheListenerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest published barrier revision. */
  async currentRevision(client: ClientBase): Promise<number> {
    const { rows } = await client.query<{ revision: string }>(`SELECT revision FROM token_cache_revision`);
    return Number(rows[0].revision);
  }

  /** Creates or renews the listener row with `ackedRevision`, and deletes rows of processes long gone. */
  async register(client: ClientBase, listener: TokenCacheListenerIdentity, ackedRevision: number): Promise<void> {
    await client.query(`DELETE FROM token_cache_listeners WHERE heartbeat_at < now() - interval '${PRUNE_AFTER}' AND id <> $1`, [listener.id]);
    await client.query(
      `INSERT INTO token_cache_listeners (id, app, host, pid, lease_ms, acked_revision) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), lease_ms = EXCLUDED.lease_ms, acked_revision = EXCLUDED.acked_revision`,
      [listener.id, listener.app.slice(0, 64), listener.host.slice(0, 255), listener.pid, listener.leaseMs, ackedRevision],
    );
  }

  /** Renews the heartbeat and raises the acknowledged revision; false when the row no longer exists. */
  async heartbeat(client: ClientBase, id: string, ackedRevision: number): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE token_cache_listeners SET heartbeat_at = now(), acked_revision = GREATEST(acked_revision, $2) WHERE id = $1`,
      [id, ackedRevision],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Removes the row of a process that stops, so no revoke waits for it. */
  async unregister(client: ClientBase, id: string): Promise<void> {
    await client.query(`DELETE FROM token_cache_listeners WHERE id = $1`, [id]);
  }

  /**
   * Publishes a new barrier: bumps the revision and notifies in one statement (one transaction). The counter's
   * row lock orders concurrent barriers, so they commit, and are delivered, in revision order.
   */
  async publishBarrier(): Promise<number> {
    const rows: { revision: string }[] = await this.dataSource.query(
      `WITH bumped AS (UPDATE token_cache_revision SET revision = revision + 1 RETURNING revision)
       SELECT revision, pg_notify($1, revision::text) FROM bumped`,
      [TOKEN_CACHE_BARRIER_CHANNEL],
    );
    return Number(rows[0].revision);
  }

  /** Every registered listener and where it stands with barrier `revision`. */
  async listenerStates(revision: number): Promise<TokenCacheListenerState[]> {
    const rows: { id: string; app: string; host: string; pid: number; lease_ms: number; acked: boolean; lease_expired: boolean; silent_ms: number }[] = await this.dataSource.query(
      `SELECT id, app, host, pid, lease_ms, acked_revision >= $1 AS acked,
              heartbeat_at + lease_ms * interval '1 millisecond' < now() AS lease_expired,
              GREATEST(0, floor(extract(epoch FROM now() - heartbeat_at) * 1000))::int AS silent_ms
         FROM token_cache_listeners ORDER BY app, host, pid`,
      [revision],
    );
    return rows.map((row) => ({ id: row.id, app: row.app, host: row.host, pid: row.pid, leaseMs: row.lease_ms, acked: row.acked, leaseExpired: row.lease_expired, silentMs: row.silent_ms }));
  }
}
