import { INSTALLATION_STATUSES, InstallationRepository, PLATFORMS } from '@bot/installations';
import { InstallationMetrics, PeriodicGauges } from '@bot/observability';
import { Injectable } from '@nestjs/common';

/** `bot_installations` by platform and status, read from PostgreSQL every 15 s (the InstallationNeedsReinstall alert reads it). */
@Injectable()
export class InstallationStatusGauges extends PeriodicGauges {
  protected readonly enabled: boolean;

  constructor(
    private readonly installations: InstallationRepository,
    private readonly metrics: InstallationMetrics,
  ) {
    super();
    this.enabled = metrics.enabled;
  }

  protected async collect(): Promise<void> {
    this.metrics.statusCounts(await this.installations.countByPlatformAndStatus(), PLATFORMS, INSTALLATION_STATUSES);
  }
}
