import { AppConfig } from '@bot/config';
import { INSTALLATION_CHANGED_CHANNEL } from '@bot/installations';
import { Clock } from '@bot/providers';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';
import { TokenCache } from './token-cache';
import { TOKEN_CACHE_BARRIER_CHANNEL, TokenCacheListenerIdentity, TokenCacheListenerRepository } from './token-cache-listener.repository';

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];
/** Heartbeats per lease: a late or lost heartbeat or two does not yet cost the lease. */
const HEARTBEATS_PER_LEASE = 4;

/**
 * Holds one dedicated PostgreSQL connection that LISTENs for installation changes (revoke, re-install,
 * refresh, lifecycle webhooks) from every process and drops the changed installation from the TokenCache.
 *
 * The same connection registers this process as a token-cache listener and heartbeats every lease/4; each
 * successful heartbeat renews the cache's lease from the moment it was sent, and a revoker treats a listener as
 * gone only when its last heartbeat is older than its lease, i.e. after this process has stopped serving cached
 * tokens. A revocation barrier (TOKEN_CACHE_BARRIER_CHANNEL) is acknowledged by writing its revision to the
 * listener row after every earlier notification was applied (notifications arrive in commit order).
 * While the connection is down the cache is off, and it starts empty once the connection is back.
 */
@Injectable()
export class InstallationChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InstallationChangeListener.name);
  private readonly identity: TokenCacheListenerIdentity;
  private client?: Client;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  /** Newest barrier revision applied, and the one last written to the listener row. */
  private processed = 0;
  private written = 0;
  private writing?: Promise<void>;

  constructor(
    private readonly config: AppConfig,
    private readonly cache: TokenCache,
    private readonly listeners: TokenCacheListenerRepository,
    private readonly clock: Clock,
  ) {
    this.identity = { id: randomUUID(), app: config.appName, host: hostname(), pid: process.pid, leaseMs: config.tokenCacheLeaseMs };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    this.cache.reset(false);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await this.writing?.catch(() => undefined);
    await this.listeners.unregister(client, this.identity.id).catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const lease = this.config.tokenCacheLeaseMs;
    const client = new Client({
      connectionString: this.config.databaseUrl,
      connectionTimeoutMillis: 5000,
      // A heartbeat that hangs (a silent network) is a lost connection, not a renewed lease.
      query_timeout: lease,
      keepAlive: true,
      application_name: `${this.config.appName}:listen`,
    });
    client.on('notification', (message) => {
      if (message.channel === INSTALLATION_CHANGED_CHANNEL && message.payload) this.cache.invalidate(message.payload);
      else if (message.channel === TOKEN_CACHE_BARRIER_CHANNEL && message.payload) this.acknowledge(client, Number(message.payload));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INSTALLATION_CHANGED_CHANNEL}; LISTEN ${TOKEN_CACHE_BARRIER_CHANNEL}`);
      // Read after LISTEN: every barrier up to here committed before, with the changes it covers; the reset
      // below drops whatever was read before those commits, so acknowledging it is true from then on.
      const revision = await this.listeners.currentRevision(client);
      this.cache.reset(true);
      this.processed = Math.max(this.processed, revision);
      const sentAt = this.clock.monotonicMs();
      await this.listeners.register(client, this.identity, this.processed);
      this.written = this.processed;
      if (this.stopped) throw new Error('stopping');
      this.cache.renewLease(this.leaseEnd(sentAt));
    } catch (error) {
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      this.lost(client, error as Error);
      return;
    }
    this.client = client;
    this.attempt = 0;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(client), Math.max(50, Math.floor(lease / HEARTBEATS_PER_LEASE)));
    this.heartbeatTimer.unref();
  }

  /** Renews the lease from the moment the heartbeat was sent, once the database has stored it. */
  private async heartbeat(client: Client): Promise<void> {
    if (this.client !== client) return;
    const sentAt = this.clock.monotonicMs();
    const revision = this.processed;
    try {
      const exists = await this.listeners.heartbeat(client, this.identity.id, revision);
      if (!exists) {
        // Pruned after a long silence (e.g. the process was frozen): the cache lapsed meanwhile; register again.
        await this.listeners.register(client, this.identity, revision);
      }
      if (this.client !== client) return;
      this.written = Math.max(this.written, revision);
      this.cache.renewLease(this.leaseEnd(sentAt));
    } catch (error) {
      this.logger.warn(`token cache heartbeat failed (${(error as Error).message}); reconnecting`);
      this.lost(client, error as Error);
      await client.end().catch(() => undefined);
    }
  }

  /** Records a barrier once every notification before it has been applied, coalescing bursts into one write. */
  private acknowledge(client: Client, revision: number): void {
    if (!Number.isSafeInteger(revision) || revision <= this.processed) return;
    this.processed = revision;
    if (this.writing) return;
    this.writing = (async () => {
      while (this.client === client && this.written < this.processed) {
        const target = this.processed;
        const sentAt = this.clock.monotonicMs();
        try {
          if (await this.listeners.heartbeat(client, this.identity.id, target)) {
            this.written = Math.max(this.written, target);
            this.cache.renewLease(this.leaseEnd(sentAt));
          } else {
            await this.listeners.register(client, this.identity, target);
            this.written = Math.max(this.written, target);
          }
        } catch (error) {
          this.lost(client, error as Error);
          return;
        }
      }
    })().finally(() => {
      this.writing = undefined;
    });
  }

  /** A little before the revokers' view of the lease ends, for timer and scheduling slack. */
  private leaseEnd(sentAt: number): number {
    const lease = this.config.tokenCacheLeaseMs;
    return sentAt + lease - Math.min(250, lease / 10);
  }

  private lost(client: Client, error?: Error): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.cache.reset(false);
    if (this.stopped || this.reconnectTimer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt++, RECONNECT_DELAYS_MS.length - 1)];
    this.logger.warn(`installation change notifications lost${error ? ` (${error.message})` : ''}; token cache off, reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
