import { HealthEventOutbox } from '@bot/health-events';
import { AuditEventRepository, InstallationRepository } from '@bot/installations';
import { LifecycleStep } from '@bot/webhooks';
import { Injectable, Logger } from '@nestjs/common';

/** What Sentry's `installation` webhooks do to our installations. */
@Injectable()
export class SentryLifecycleService {
  private readonly logger = new Logger('SentryLifecycle');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly events: HealthEventOutbox,
  ) {}

  /**
   * `installation` `deleted` (uninstalled in Sentry) revokes the installation it is routed to. `created` changes
   * nothing: the redirect to our callback exchanges the grant code, and exchanging it here too would spend it twice.
   */
  stepFor(resource: string, action: string | null, deliveryId: string): LifecycleStep | undefined {
    if (resource !== 'installation' || action !== 'deleted') return undefined;
    return async (manager, routed) => {
      if (!routed.installationId) return;
      const reason = 'the integration was uninstalled in Sentry';
      const result = await this.installations.revoke(routed.installationId, reason, manager);
      if (!result?.changed) return;
      await this.audit.record(
        { event: 'installation.revoked', platform: 'sentry', installationId: routed.installationId, actor: 'sentry', detail: { source: 'webhook', delivery_id: deliveryId, reason } },
        manager,
      );
      await this.events.append(manager, { type: 'installation.revoked', installation: result.installation, data: { reason, source: 'webhook' } });
      this.logger.log(`sentry installation ${routed.installationId} revoked: ${reason}`);
    };
  }
}
