import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

/** How often gauges read from PostgreSQL are brought up to date (a scrape never waits for a query). */
export const GAUGE_REFRESH_MS = 15_000;

/**
 * Base of gauges that are read from PostgreSQL: read once at start, then every 15 s in the background, never
 * on the scrape path. A failed read keeps the last values and is logged as a warning.
 */
export abstract class PeriodicGauges implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly logger = new Logger(this.constructor.name);

  /** False when metrics are off: nothing is read then. */
  protected abstract readonly enabled: boolean;

  /** Reads the values and sets the gauges. */
  protected abstract collect(): Promise<void>;

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    void this.refresh();
    // A read still running when the next is due (a slow database) is not joined by another.
    this.timer = setInterval(() => {
      if (!this.running) void this.refresh();
    }, GAUGE_REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Reads the gauges now, after a read already running; resolves when they are set. */
  async refresh(): Promise<void> {
    await this.running;
    const read = this.collect().catch((error: Error) => this.logger.warn(`reading the gauges failed; they keep their last values: ${error.message}`));
    this.running = read;
    await read;
    if (this.running === read) this.running = undefined;
  }
}
