import { AppConfig } from '@bot/config';
import { HealthEventOutbox } from '@bot/health-events';
import { AuditEventRepository, Installation, InstallationFilter, InstallationRepository, WebhookRegistrationRepository } from '@bot/installations';
import { InstallationHookRunner } from '@bot/platforms';
import { HookReport, ProviderRegistry, RevocationOutcome, UpstreamError } from '@bot/providers';
import { TokenRevocationBarrier } from '@bot/tokens';
import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { InstallationView, toInstallationView } from './dto/installation.view';
import { RevocationResultDto } from './dto/revocation-result.dto';

/** The answer of `PUT /oauth/installations/:id/webhook-secret`: the only time the secret is shown. */
export interface WebhookSecretResult {
  success: true;
  installation_id: string;
  webhook_secret: string;
  webhook_url: string;
  generated: boolean;
  instructions: string;
}

/** The admin side of installations: list, show, revoke. */
@Injectable()
export class InstallationsService {
  private readonly logger = new Logger('Installations');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly providers: ProviderRegistry,
    private readonly dataSource: DataSource,
    private readonly barrier: TokenRevocationBarrier,
    private readonly events: HealthEventOutbox,
    private readonly registrations: WebhookRegistrationRepository,
    private readonly hooks: InstallationHookRunner,
    private readonly config: AppConfig,
  ) {}

  /** Installations matching the filter. */
  async list(filter: InstallationFilter): Promise<InstallationView[]> {
    const rows = await this.installations.list(filter);
    const registrations = await this.registrations.forInstallations(rows.map((row) => row.id));
    return rows.map((row) => toInstallationView(row, registrations.get(row.id) ?? null));
  }

  /** One installation; 404 when unknown. */
  async show(id: string): Promise<InstallationView> {
    const installation = await this.installations.findById(id);
    if (!installation) throw new NotFoundException(`installation ${id} not found`);
    return toInstallationView(installation, await this.registrations.forInstallation(id));
  }

  /**
   * Sets the installation's own webhook secret (generated, or the one given) for admin-configured webhooks, stored
   * encrypted, and answers it once with the exact URL to paste into the platform's admin console.
   */
  async setWebhookSecret(id: string, given: string | undefined): Promise<WebhookSecretResult> {
    const installation = await this.adminWebhookInstallation(id);
    const secret = given ?? randomBytes(32).toString('base64url');
    await this.dataSource.transaction(async (manager) => {
      await this.installations.setWebhookSecret(id, secret, manager);
      await this.audit.record({ event: 'installation.webhook_secret_set', platform: installation.platform, installationId: id, actor: 'admin', detail: { generated: given === undefined } }, manager);
    });
    const url = `${this.config.webhookPublicBaseUrl}/webhooks/${installation.platform}/${id}`;
    const provider = this.providers.find(installation.platform);
    return {
      success: true,
      installation_id: id,
      webhook_secret: secret,
      webhook_url: url,
      generated: given === undefined,
      instructions: `In ${provider.displayName}'s admin console (System → WebHooks → Create a WebHook) enter this URL and secret. The secret is shown only now; PUT again to replace it, DELETE to stop accepting these deliveries.`,
    };
  }

  /** Clears the secret: admin-webhook deliveries for the installation are refused (401) from now on. */
  async clearWebhookSecret(id: string): Promise<{ success: true; installation_id: string; cleared: boolean }> {
    const installation = await this.adminWebhookInstallation(id, { allowRevoked: true });
    const had = Boolean(installation.webhookSecret);
    await this.dataSource.transaction(async (manager) => {
      await this.installations.setWebhookSecret(id, null, manager);
      if (had) await this.audit.record({ event: 'installation.webhook_secret_cleared', platform: installation.platform, installationId: id, actor: 'admin' }, manager);
    });
    return { success: true, installation_id: id, cleared: had };
  }

  /**
   * Revokes at the provider where it can, then marks the row revoked and erases its secrets. A provider
   * failure does not keep the installation alive here: access through us ends either way, and the answer says
   * what the provider did. It answers once every running API process has dropped the token, or its lease has run
   * out (bounded wait), and says which. Repeating it is harmless and waits the same way.
   */
  async revoke(id: string): Promise<RevocationResultDto> {
    const installation = await this.installations.findById(id);
    if (!installation) throw new NotFoundException(`installation ${id} not found`);
    if (installation.status === 'revoked') {
      return {
        success: true,
        installation_id: id,
        status: 'revoked',
        already_revoked: true,
        provider_revocation: { revoked: false, detail: 'already revoked earlier' },
        token_caches: await this.barrier.confirm(),
      };
    }

    // The platform's own clean-up (Jira: deleting its webhooks) needs the tokens, so it runs before they are erased.
    const cleanup: HookReport | undefined = await this.hooks.beforeRevoke(installation);

    let outcome: RevocationOutcome;
    try {
      outcome = await this.providers.get(installation.platform).revoke(installation);
    } catch (error) {
      outcome = { revokedAtProvider: false, detail: error instanceof UpstreamError ? error.message : `provider revocation failed: ${(error as Error).message}` };
    }

    const result = await this.dataSource.transaction(async (manager) => {
      const revoked = await this.installations.revoke(id, 'revoked by an administrator', manager);
      if (revoked?.changed) {
        await this.audit.record(
          {
            event: 'installation.revoked',
            platform: installation.platform,
            installationId: id,
            actor: 'admin',
            detail: { provider_revoked: outcome.revokedAtProvider, provider_detail: outcome.detail, ...(cleanup ? { cleanup_ok: cleanup.ok, cleanup_detail: cleanup.detail } : {}) },
          },
          manager,
        );
        await this.events.append(manager, {
          type: 'installation.revoked',
          installation,
          data: { reason: 'revoked by an administrator', source: 'admin', provider_revoked: outcome.revokedAtProvider },
        });
      }
      return revoked;
    });
    const tokenCaches = await this.barrier.confirm();
    this.logger.log(
      `${installation.platform} installation ${id} revoked (provider: ${outcome.revokedAtProvider ? 'revoked' : 'not revoked'}; token caches ${tokenCaches.confirmed ? 'confirmed' : 'NOT confirmed'} in ${tokenCaches.waited_ms} ms)`,
    );
    return {
      success: true,
      installation_id: id,
      status: 'revoked',
      already_revoked: !result?.changed,
      provider_revocation: { revoked: outcome.revokedAtProvider, detail: outcome.detail },
      token_caches: tokenCaches,
      ...(cleanup ? { platform_cleanup: cleanup } : {}),
    };
  }

  private async adminWebhookInstallation(id: string, options: { allowRevoked?: boolean } = {}): Promise<Installation> {
    const installation = await this.installations.findById(id);
    if (!installation) throw new NotFoundException(`installation ${id} not found`);
    const provider = this.providers.find(installation.platform);
    if (!provider.adminWebhooks) {
      const supported = this.providers.all().filter((candidate) => candidate.adminWebhooks).map((candidate) => candidate.platform);
      throw new BadRequestException(`${provider.displayName} installations have no admin webhooks; webhook secrets are for ${supported.join(', ')} installations`);
    }
    if (installation.status === 'revoked' && !options.allowRevoked) throw new ConflictException(`installation ${id} is revoked; install the app again first`);
    return installation;
  }
}
