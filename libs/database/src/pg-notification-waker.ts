import { Client } from 'pg';

export interface PgNotificationWakerOptions {
  /** Unset: pg's own defaults (PGHOST, PGDATABASE, …). */
  databaseUrl: string | undefined;
  /** The connection's `application_name`, so it can be told apart in `pg_stat_activity`. */
  applicationName: string;
  channel: string;
  /** Which notifications wake the loop, by payload (every one on `channel` when unset). */
  accept?: (payload: string | undefined) => boolean;
  /** Told when the connection is lost; the loop polls meanwhile and the connection is reopened every second. */
  onLost?: (reason: string) => void;
}

const RECONNECT_MS = 1000;

/**
 * The LISTEN side of a polling loop (the webhook queue's consumers, the health-event dispatcher): a dedicated
 * connection on one channel whose notifications cut the loop's sleep short, so work is picked up at once while
 * polling stays the fallback. A lost connection costs only latency; it is reopened every second.
 */
export class PgNotificationWaker {
  private client?: Client;
  private stopped = false;
  private woken = false;
  private wake?: () => void;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(private readonly options: PgNotificationWakerOptions) {}

  /** Opens the LISTEN connection; throws when it cannot (the caller decides: give up, or `reconnectLater`). */
  async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: this.options.applicationName });
    client.on('notification', (message) => {
      if (message.channel !== this.options.channel) return;
      if (this.options.accept && !this.options.accept(message.payload)) return;
      this.woken = true;
      this.wake?.();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  /** Tries `connect` again every second until it succeeds or `stop` (after a failed first `connect`). */
  reconnectLater(): void {
    if (this.reconnectTimer || this.stopped) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.reconnectLater());
    }, RECONNECT_MS);
  }

  /** True when a notification arrived since `beginRound` (or after `stop`): the next `sleep` returns at once. */
  get notified(): boolean {
    return this.woken || this.stopped;
  }

  /** Marks the start of a polling round: a notification from now on ends the next `sleep` at once. */
  beginRound(): void {
    this.woken = false;
  }

  /** Waits `ms`, or less when a notification arrived since `beginRound` or arrives meanwhile, or at `stop`. */
  sleep(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  /** Ends a sleep in progress and every later one; stops reconnecting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.wake?.();
  }

  /** Closes the LISTEN connection (after `stop`). */
  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.stopped) return;
    this.options.onLost?.(error?.message ?? 'the connection ended');
    this.reconnectLater();
  }
}
