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

/** What an upsert replaced: the row's status and platform installation id before it. */
export interface PreviousInstallState {
  status: InstallationStatus;
  externalInstallId: string | null;
}

/** A position in the newest-first list of installations (keyset paging); `createdAt` keeps PostgreSQL's microseconds. */
export interface InstallationCursor {
  createdAt: string;
  id: string;
}

/** One page of the operator console's installation list. */
export interface InstallationPageQuery extends InstallationFilter {
  /** Substring of the org name or org id (case-insensitive), or an installation id. */
  search?: string;
  limit: number;
  /** Rows older than this cursor (the next page); or, with `before`, newer ones (the previous page). */
  after?: InstallationCursor;
  before?: InstallationCursor;
}

/** Every column of an installation except its secrets, which are not even selected. */
export interface InstallationSummary {
  id: string;
  platform: Platform;
  status: InstallationStatus;
  statusReason: string | null;
  externalOrgId: string;
  externalOrgName: string | null;
  externalInstallId: string | null;
  scopes: string[];
  permissions: Record<string, string>;
  installedBy: string | null;
  metadata: Record<string, unknown>;
  oauthGrantId: string | null;
  tokenExpiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Whether a Jira admin-webhook secret is stored (the secret itself is never read here). */
  hasWebhookSecret: boolean;
}

export interface InstallationPage {
  rows: InstallationSummary[];
  /** Cursor of the next (older) page, or null on the last page. */
  next: InstallationCursor | null;
  /** Cursor of the previous (newer) page, or null on the first page. */
  previous: InstallationCursor | null;
}

const SUMMARY_COLUMNS = `id, platform, status, status_reason, external_org_id, external_org_name, external_install_id, scopes, permissions,
  installed_by, metadata, oauth_grant_id, token_expires_at, last_used_at, revoked_at, created_at, updated_at,
  webhook_secret IS NOT NULL AS has_webhook_secret, created_at::text AS cursor_at`;

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

  /**
   * One page of installations, newest first, by keyset: every filter combination is one index range scan, so a
   * page costs the same on the first page as on the thousandth, at any table size.
   */
  async page(query: InstallationPageQuery): Promise<InstallationPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.platform) where.push(`platform = ${param(query.platform)}`);
    if (query.status) where.push(`status = ${param(query.status)}`);
    const search = query.search?.trim().toLowerCase();
    if (search) {
      // Same expression as the trigram index ix_installations_org_search, so it is used.
      const like = `lower(coalesce(external_org_name, '') || ' ' || external_org_id) LIKE ${param(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
      where.push(UUID.test(search) ? `(id = ${param(search)}::uuid OR ${like})` : like);
    }
    const backwards = Boolean(query.before && !query.after);
    const cursor = query.after ?? query.before;
    if (cursor) where.push(`(created_at, id) ${backwards ? '>' : '<'} (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)}::uuid)`);
    const order = backwards ? 'created_at ASC, id ASC' : 'created_at DESC, id DESC';
    const rows: SummaryRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM installations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    if (backwards) page.reverse();
    const first = page[0];
    const last = page[page.length - 1];
    const at = (row: SummaryRow): InstallationCursor => ({ createdAt: row.cursor_at, id: row.id });
    return {
      rows: page.map(toSummary),
      next: last && (backwards || more) ? at(last) : null,
      previous: first && (backwards ? more : Boolean(cursor)) ? at(first) : null,
    };
  }

  /** How many installations each platform has in each status (one index-only scan). */
  async countByPlatformAndStatus(): Promise<{ platform: Platform; status: InstallationStatus; count: number }[]> {
    const rows: { platform: Platform; status: InstallationStatus; count: string }[] = await this.dataSource.query(
      `SELECT platform, status, count(*)::text AS count FROM installations GROUP BY platform, status`,
    );
    return rows.map((row) => ({ platform: row.platform, status: row.status, count: Number(row.count) }));
  }

  /** The installation without its secrets, or null. */
  async findSummaryById(id: string): Promise<InstallationSummary | null> {
    const rows: SummaryRow[] = await this.dataSource.query(`SELECT ${SUMMARY_COLUMNS} FROM installations WHERE id = $1`, [id]);
    return rows[0] ? toSummary(rows[0]) : null;
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
  async upsertLive(values: InstallationUpsert, manager: EntityManager): Promise<{ installation: Installation; created: boolean; previous: PreviousInstallState | null }> {
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
      const previous = { status: existing.status, externalInstallId: existing.externalInstallId };
      // A re-install at GitHub gets a new installation id; a stale live row holding that id would block it.
      const saved = await repository.save(repository.merge(existing, values, reactivated));
      await this.notifyChanged(saved.id, manager);
      return { installation: saved, created: false, previous };
    }
    const saved = await repository.save(repository.create({ scopes: [], permissions: {}, metadata: {}, ...values, ...reactivated }));
    return { installation: saved, created: true, previous: null };
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

  /** Sets or clears the installation's own webhook secret (encrypted by the column transformer). */
  async setWebhookSecret(id: string, secret: string | null, manager: EntityManager): Promise<void> {
    await manager.createQueryBuilder().update(Installation).set({ webhookSecret: secret }).where({ id }).execute();
  }

  /** Tells every process (LISTEN on INSTALLATION_CHANGED_CHANNEL) to drop what it cached; sent at commit. */
  async notifyChanged(id: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`SELECT pg_notify($1, $2)`, [INSTALLATION_CHANGED_CHANNEL, id]);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface SummaryRow {
  id: string;
  platform: Platform;
  status: InstallationStatus;
  status_reason: string | null;
  external_org_id: string;
  external_org_name: string | null;
  external_install_id: string | null;
  scopes: string[];
  permissions: Record<string, string>;
  installed_by: string | null;
  metadata: Record<string, unknown>;
  oauth_grant_id: string | null;
  token_expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
  has_webhook_secret: boolean;
  cursor_at: string;
}

function toSummary(row: SummaryRow): InstallationSummary {
  return {
    id: row.id,
    platform: row.platform,
    status: row.status,
    statusReason: row.status_reason,
    externalOrgId: row.external_org_id,
    externalOrgName: row.external_org_name,
    externalInstallId: row.external_install_id,
    scopes: row.scopes,
    permissions: row.permissions,
    installedBy: row.installed_by,
    metadata: row.metadata,
    oauthGrantId: row.oauth_grant_id,
    tokenExpiresAt: row.token_expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hasWebhookSecret: row.has_webhook_secret,
  };
}
