import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

/** `bot_installations` by platform and status, read from PostgreSQL. */
@Injectable()
export class InstallationMetrics {
  readonly enabled: boolean;
  private readonly installations: Gauge<'platform' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.enabled = registry.enabled;
    this.installations = registry.gauge('bot_installations', 'Installations by platform and status (active, suspended, needs_reinstall, revoked)', ['platform', 'status']);
  }

  /** Replaces the gauge; every platform × status not in `rows` reads 0. */
  statusCounts(rows: readonly { platform: string; status: string; count: number }[], platforms: readonly string[], statuses: readonly string[]): void {
    if (!this.enabled) return;
    for (const platform of platforms) {
      for (const status of statuses) {
        this.installations.labels(platform, status).set(rows.find((row) => row.platform === platform && row.status === status)?.count ?? 0);
      }
    }
  }
}
