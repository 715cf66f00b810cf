import { HealthEventOutbox, installationUpsertEvents } from '@bot/health-events';
import { AuditEventRepository, Installation, InstallationLifecycleRepository, InstallationRepository } from '@bot/installations';
import { idString, isObject, LifecycleStep, WebhookRejectedError } from '@bot/webhooks';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

interface RepositoryRef {
  id: number;
  full_name: string;
  private: boolean;
}

/**
 * What GitHub's `installation`, `installation_repositories` and `github_app_authorization` deliveries do to
 * our installations. GitHub is the source of truth for installs begun on github.com: `installation.created`
 * creates (or re-activates) the row; no token is stored, the TokenService mints one on first use.
 */
@Injectable()
export class GitHubLifecycleService {
  private readonly logger = new Logger('GitHubLifecycle');

  constructor(
    private readonly installations: InstallationRepository,
    private readonly lifecycle: InstallationLifecycleRepository,
    private readonly audit: AuditEventRepository,
    private readonly events: HealthEventOutbox,
  ) {}

  /** The lifecycle step of a delivery, or undefined when the event changes no installation. */
  stepFor(event: string, payload: Record<string, unknown>, deliveryId: string): LifecycleStep | undefined {
    const action = payload['action'];
    const actor = senderLogin(payload);
    const detail = { source: 'webhook', delivery_id: deliveryId };
    if (event === 'installation') {
      switch (action) {
        case 'created':
          return (manager) => this.created(payload, actor, detail, manager);
        case 'deleted':
          return (manager, routed) => this.deleted(routed.installationId, actor, detail, manager);
        case 'suspend':
          return (manager, routed) => this.suspended(routed.installationId, actor, detail, manager);
        case 'unsuspend':
          return (manager, routed) => this.unsuspended(routed.installationId, actor, detail, manager);
        case 'new_permissions_accepted':
          return (manager, routed) => this.permissionsAccepted(routed.installationId, payload, actor, detail, manager);
        default:
          return undefined;
      }
    }
    if (event === 'installation_repositories' && (action === 'added' || action === 'removed')) {
      return (manager, routed) => this.repositoriesChanged(routed.installationId, payload, actor, detail, manager);
    }
    if (event === 'github_app_authorization' && action === 'revoked') {
      // A user revoked their own authorization of the app (user-to-server tokens); installations are untouched.
      return async (manager) => {
        const sender = isObject(payload['sender']) ? payload['sender'] : {};
        await this.audit.record(
          { event: 'github.user_authorization_revoked', platform: 'github', actor, detail: { ...detail, sender_id: idString(sender['id']) } },
          manager,
        );
      };
    }
    return undefined;
  }

  private async created(payload: Record<string, unknown>, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    const installation = payload['installation'];
    const account = isObject(installation) ? installation['account'] : undefined;
    const installId = isObject(installation) ? idString(installation['id']) : null;
    if (!isObject(installation) || !isObject(account) || !installId || !idString(account['id']) || typeof account['login'] !== 'string') {
      throw WebhookRejectedError.malformed('installation.created names no installation id or account');
    }
    const permissions = stringRecord(installation['permissions']);
    const { installation: row, created, previous } = await this.installations.upsertLive(
      {
        platform: 'github',
        externalOrgId: idString(account['id']) as string,
        externalOrgName: account['login'],
        externalInstallId: installId,
        permissions,
        scopes: scopesOf(permissions),
        installedBy: actor,
      },
      manager,
    );
    // Merged rather than replaced, so what the install callback stored (or an earlier delivery) survives.
    await this.lifecycle.mergeMetadata(
      row.id,
      {
        account_type: account['type'] ?? null,
        repository_selection: installation['repository_selection'] ?? null,
        target_type: installation['target_type'] ?? null,
        app_slug: installation['app_slug'] ?? null,
        html_url: installation['html_url'] ?? null,
        events: Array.isArray(installation['events']) ? installation['events'] : [],
        repositories: repositoryRefs(payload['repositories']),
      },
      manager,
    );
    await this.audit.record(
      {
        event: created ? 'installation.installed' : 'installation.reinstalled',
        platform: 'github',
        installationId: row.id,
        actor,
        detail: { ...detail, external_org_id: row.externalOrgId, external_install_id: installId, scopes: row.scopes },
      },
      manager,
    );
    await this.events.appendAll(manager, installationUpsertEvents(row, previous, { installed_by: actor, scopes: row.scopes }));
    this.logger.log(`github installation ${row.id} ${created ? 'created' : 're-activated'} for ${row.externalOrgName} (installation ${installId})`);
    return { installation: row };
  }

  private async deleted(id: string | null, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    if (!id) return;
    const reason = `uninstalled on GitHub${actor ? ` by ${actor}` : ''}`;
    const result = await this.installations.revoke(id, reason, manager);
    if (!result?.changed) return;
    await this.audit.record({ event: 'installation.revoked', platform: 'github', installationId: id, actor, detail }, manager);
    await this.events.append(manager, { type: 'installation.revoked', installation: result.installation, data: { reason, source: 'webhook' } });
    this.logger.log(`github installation ${id} revoked: the app was uninstalled`);
  }

  private async suspended(id: string | null, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    const row = await this.locked(id, manager);
    if (!row || row.status === 'revoked') return;
    const reason = `suspended on GitHub${actor ? ` by ${actor}` : ''}`;
    const wasSuspended = row.status === 'suspended';
    await this.lifecycle.update(row, { status: 'suspended', statusReason: reason }, manager);
    await this.audit.record({ event: 'installation.suspended', platform: 'github', installationId: row.id, actor, detail: { ...detail, reason } }, manager);
    if (!wasSuspended) await this.events.append(manager, { type: 'installation.suspended', installation: row, data: { reason } });
  }

  private async unsuspended(id: string | null, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    const row = await this.locked(id, manager);
    // Only a suspension is lifted here; a revoked or needs-reinstall row stays as it is.
    if (!row || row.status !== 'suspended') return;
    await this.lifecycle.update(row, { status: 'active', statusReason: null }, manager);
    await this.audit.record({ event: 'installation.unsuspended', platform: 'github', installationId: row.id, actor, detail }, manager);
    await this.events.append(manager, { type: 'installation.unsuspended', installation: row });
  }

  private async permissionsAccepted(id: string | null, payload: Record<string, unknown>, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    const row = await this.locked(id, manager);
    if (!row || row.status === 'revoked') return;
    const installation = isObject(payload['installation']) ? payload['installation'] : {};
    const permissions = stringRecord(installation['permissions']);
    await this.lifecycle.update(row, { permissions, scopes: scopesOf(permissions) }, manager);
    await this.audit.record({ event: 'installation.permissions_updated', platform: 'github', installationId: row.id, actor, detail: { ...detail, permissions } }, manager);
  }

  private async repositoriesChanged(id: string | null, payload: Record<string, unknown>, actor: string | null, detail: Record<string, unknown>, manager: EntityManager) {
    const row = await this.locked(id, manager);
    if (!row || row.status === 'revoked') return;
    const added = repositoryRefs(payload['repositories_added']);
    const removed = new Set(repositoryRefs(payload['repositories_removed']).map((repository) => repository.id));
    const known = repositoryRefs(row.metadata['repositories']).filter((repository) => !removed.has(repository.id));
    const repositories = [...known.filter((repository) => !added.some((other) => other.id === repository.id)), ...added];
    const selection = payload['repository_selection'] ?? row.metadata['repository_selection'] ?? null;
    await this.lifecycle.update(row, { metadata: { ...row.metadata, repositories, repository_selection: selection } }, manager);
    await this.audit.record(
      {
        event: 'installation.repositories_changed',
        platform: 'github',
        installationId: row.id,
        actor,
        detail: { ...detail, added: added.map((repository) => repository.full_name), removed: [...removed], repository_selection: selection },
      },
      manager,
    );
  }

  private locked(id: string | null, manager: EntityManager): Promise<Installation | null> {
    return id ? this.lifecycle.lock(id, manager) : Promise.resolve(null);
  }
}

function senderLogin(payload: Record<string, unknown>): string | null {
  const sender = payload['sender'];
  return isObject(sender) && typeof sender['login'] === 'string' ? sender['login'] : null;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Same form as the install callback stores: `issues:write`. */
function scopesOf(permissions: Record<string, string>): string[] {
  return Object.entries(permissions).map(([name, level]) => `${name}:${level}`);
}

function repositoryRefs(value: unknown): RepositoryRef[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is Record<string, unknown> => isObject(item) && typeof item['id'] === 'number' && typeof item['full_name'] === 'string')
    .map((item) => ({ id: item['id'] as number, full_name: item['full_name'] as string, private: item['private'] === true }));
}
