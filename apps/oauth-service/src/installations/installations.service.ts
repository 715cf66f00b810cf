import { HealthEventOutbox } from '@bot/health-events';
import { AuditEventRepository, InstallationRepository, InstallationFilter } from '@bot/installations';
import { ProviderRegistry, RevocationOutcome, UpstreamError } from '@bot/providers';
import { TokenRevocationBarrier } from '@bot/tokens';
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InstallationView, toInstallationView } from './dto/installation.view';
import { RevocationResultDto } from './dto/revocation-result.dto';


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
  ) {}

  /** Installations matching the filter. */
  async list(filter: InstallationFilter): Promise<InstallationView[]> {
    return (await this.installations.list(filter)).map(toInstallationView);
  }

  /** One installation; 404 when unknown. */
  async show(id: string): Promise<InstallationView> {
    const installation = await this.installations.findById(id);
    if (!installation) throw new NotFoundException(`installation ${id} not found`);
    return toInstallationView(installation);
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
          { event: 'installation.revoked', platform: installation.platform, installationId: id, actor: 'admin', detail: { provider_revoked: outcome.revokedAtProvider, provider_detail: outcome.detail } },
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
    };
  }
}
