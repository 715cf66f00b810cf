import { AppConfig } from '@bot/config';
import { INSTALLATION_CHANGED_CHANNEL } from '@bot/installations';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { TokenCache } from './token-cache';

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * Holds one dedicated PostgreSQL connection that LISTENs for installation changes (revoke, re-install,
 * refresh, lifecycle webhooks) from every process and drops the changed installation from the TokenCache.
 * While the connection is down the cache is switched off, so a missed notification can never serve a stale token.
 */
@Injectable()
export class InstallationChangeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InstallationChangeListener.name);
  private client?: Client;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly cache: TokenCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.cache.reset(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: 5000, application_name: `${this.config.appName}:listen` });
    client.on('notification', (message) => {
      if (message.channel === INSTALLATION_CHANGED_CHANNEL && message.payload) this.cache.invalidate(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INSTALLATION_CHANGED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.lost(client, error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    // Whatever changed while we were not listening is unknown: start from an empty cache.
    this.cache.reset(true);
  }

  private lost(client: Client, error?: Error): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
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
