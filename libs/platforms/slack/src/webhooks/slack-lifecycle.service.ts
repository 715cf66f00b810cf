import { HealthEventOutbox } from '@bot/health-events';
import { AuditEventRepository, InstallationRepository } from '@bot/installations';
import { isObject, LifecycleStep } from '@bot/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What Slack's `app_uninstalled` and `tokens_revoked` events do to our installations. */
@Injectable()
export class SlackLifecycleService {
  private readonly logger = new Logger('SlackLifecycle');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly events: HealthEventOutbox,
  ) {}

  /** The lifecycle step of an Events API event, or undefined when it changes no installation. */
  stepFor(event: Record<string, unknown>, deliveryId: string): LifecycleStep | undefined {
    const detail = { source: 'webhook', delivery_id: deliveryId, event: event['type'] };
    if (event['type'] === 'app_uninstalled') {
      return (manager, routed) => this.revoke(routed.installationId, 'the app was uninstalled from Slack', detail, manager);
    }
    if (event['type'] === 'tokens_revoked') {
      const tokens = isObject(event['tokens']) ? event['tokens'] : {};
      const bot = userIds(tokens['bot']);
      const users = userIds(tokens['oauth']);
      // We only hold the bot token: its revocation ends the installation, user tokens' does not.
      if (bot.length > 0) {
        return (manager, routed) => this.revoke(routed.installationId, 'Slack revoked the bot token', { ...detail, bot_user_ids: bot, user_ids: users }, manager);
      }
      return async (manager, routed) => {
        await this.audit.record(
          { event: 'slack.user_tokens_revoked', platform: 'slack', installationId: routed.installationId, actor: 'slack', detail: { ...detail, user_ids: users } },
          manager,
        );
      };
    }
    return undefined;
  }

  private async revoke(id: string | null, reason: string, detail: Record<string, unknown>, manager: EntityManager): Promise<void> {
    if (!id) return;
    const result = await this.installations.revoke(id, reason, manager);
    if (!result?.changed) return;
    await this.audit.record({ event: 'installation.revoked', platform: 'slack', installationId: id, actor: 'slack', detail: { ...detail, reason } }, manager);
    await this.events.append(manager, { type: 'installation.revoked', installation: result.installation, data: { reason, source: 'webhook' } });
    this.logger.log(`slack installation ${id} revoked: ${reason}`);
  }
}

function userIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
