import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, FindOptionsWhere, Repository } from 'typeorm';
import { Installation, InstallationStatus, Platform } from '../entities/installation.entity';

export interface InstallationFilter {
  platform?: Platform;
  status?: InstallationStatus;
}

/** What an install or re-install writes; the row is matched on platform + external org. */
export type InstallationUpsert = Pick<Installation, 'platform' | 'externalOrgId'> &
  Partial<
    Pick<
      Installation,
      | 'externalOrgName'
      | 'externalInstallId'
      | 'accessToken'
      | 'refreshToken'
      | 'tokenExpiresAt'
      | 'privateKey'
      | 'scopes'
      | 'permissions'
      | 'installedBy'
      | 'webhookSecret'
      | 'metadata'
      | 'oauthGrantId'
    >
  >;

/** PostgreSQL channel on which installation changes are announced to every process. */
export const INSTALLATION_CHANGED_CHANNEL = 'installation_changed';

/** Reads and writes of installation rows; SQL and locking for installations live here. */
@Injectable()
export class InstallationRepository {
  private readonly repository: Repository<Installation>;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(Installation);
  }

  /** The installation with this id, or null. */
  findById(id: string): Promise<Installation | null> {
    return this.repository.findOneBy({ id });
  }

  /** The status of an installation as the transaction of `manager` sees it, or null for an unknown id. */
  async statusOf(id: string, manager: EntityManager = this.dataSource.manager): Promise<InstallationStatus | null> {
    const row = await manager.getRepository(Installation).findOne({ where: { id }, select: { id: true, status: true } });
    return row?.status ?? null;
  }

  /** Installations matching the filter, newest first. */
  list(filter: InstallationFilter = {}): Promise<Installation[]> {
    const where: FindOptionsWhere<Installation> = {};
    if (filter.platform) where.platform = filter.platform;
    if (filter.status) where.status = filter.status;
    return this.repository.find({ where, order: { createdAt: 'DESC' } });
  }

  /** The live (not revoked) installation of a platform org, or null. */
  findLiveByOrg(platform: Platform, externalOrgId: string): Promise<Installation | null> {
    return this.repository
      .createQueryBuilder('i')
      .where('i.platform = :platform AND i.external_org_id = :externalOrgId AND i.status <> :revoked', {
        platform,
        externalOrgId,
        revoked: 'revoked',
      })
      .getOne();
  }

  /** Inserts a new installation; the schema rejects a second live row for the same platform org. */
  insert(values: Partial<Installation>): Promise<Installation> {
    return this.repository.save(this.repository.create(values));
  }

  /**
   * Install or re-install: updates and re-activates the org's row (the live one, else the newest revoked one)
   * or inserts one. A transaction-scoped advisory lock per platform + org serialises concurrent callbacks
   * across processes, so the org never gets a second row. Returns the row and whether it already existed.
   */
  async upsertLive(values: InstallationUpsert, manager: EntityManager): Promise<{ installation: Installation; created: boolean }> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`installation:${values.platform}:${values.externalOrgId}`]);
    const repository = manager.getRepository(Installation);
    const existing = await repository
      .createQueryBuilder('i')
      .where('i.platform = :platform AND i.external_org_id = :org', { platform: values.platform, org: values.externalOrgId })
      .orderBy(`CASE WHEN i.status <> 'revoked' THEN 0 ELSE 1 END`)
      .addOrderBy('i.updated_at', 'DESC')
      .getOne();
    const reactivated = { status: 'active' as const, statusReason: null, revokedAt: null };
    if (existing) {
      // A re-install at GitHub gets a new installation id; a stale live row holding that id would block it.
      const saved = await repository.save(repository.merge(existing, values, reactivated));
      await this.notifyChanged(saved.id, manager);
      return { installation: saved, created: false };
    }
    const saved = await repository.save(repository.create({ scopes: [], permissions: {}, metadata: {}, ...values, ...reactivated }));
    return { installation: saved, created: true };
  }

  /**
   * Marks the installation revoked and erases every stored secret. Returns null for an unknown id; an
   * already revoked row is returned unchanged.
   */
  async revoke(id: string, reason: string, manager: EntityManager): Promise<{ installation: Installation; changed: boolean } | null> {
    const repository = manager.getRepository(Installation);
    const row = await repository.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!row) return null;
    if (row.status === 'revoked') return { installation: row, changed: false };
    const saved = await repository.save(
      repository.merge(row, {
        status: 'revoked',
        statusReason: reason,
        revokedAt: new Date(),
        accessToken: null,
        refreshToken: null,
        tokenExpiresAt: null,
        privateKey: null,
        webhookSecret: null,
      }),
    );
    await this.notifyChanged(id, manager);
    return { installation: saved, changed: true };
  }

  /** Tells every process (LISTEN on INSTALLATION_CHANGED_CHANNEL) to drop what it cached; sent at commit. */
  async notifyChanged(id: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`SELECT pg_notify($1, $2)`, [INSTALLATION_CHANGED_CHANNEL, id]);
  }
}
