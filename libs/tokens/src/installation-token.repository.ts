import { Installation, InstallationStatus } from '@bot/installations';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';

/** New credentials to store on every live installation of one grant. */
export interface StoredTokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/** An installation a refresh failure marked, with its status before. */
export interface MarkedInstallation {
  id: string;
  platform: string;
  externalOrgId: string;
  externalOrgName: string | null;
  previousStatus: InstallationStatus;
}

/** SQL and locking of token refreshes and token-use bookkeeping. */
@Injectable()
export class InstallationTokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction holding the refresh lock of one grant (a transaction-scoped advisory lock),
   * so exactly one process at a time refreshes it; others wait and then see the stored result.
   */
  withRefreshLock<T>(lockKey: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      // A refresh stuck behind a dead peer fails instead of holding a request forever.
      await manager.query(`SET LOCAL lock_timeout = '60s'`);
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`token-refresh:${lockKey}`]);
      return work(manager);
    });
  }

  /** The installation row, locked for update inside the caller's transaction. */
  lockForRefresh(id: string, manager: EntityManager): Promise<Installation | null> {
    return manager.getRepository(Installation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * Stores new tokens on the installation and on every other live installation of its grant (Jira sites of
   * one consent share one rotating refresh token). Returns the ids it updated.
   */
  async storeTokens(installation: Installation, tokens: StoredTokenSet, manager: EntityManager): Promise<string[]> {
    const ids = await this.grantMemberIds(installation, manager);
    // The query builder applies the encrypting column transformer, so no plaintext reaches the table.
    await manager
      .createQueryBuilder()
      .update(Installation)
      .set({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, tokenExpiresAt: tokens.expiresAt, statusReason: null })
      .where({ id: In(ids) })
      .execute();
    return ids;
  }

  /**
   * Marks the installation and its grant's live siblings with a status and reason; returns each of them as it
   * was before (so callers can tell which ones changed).
   */
  async markUnavailable(
    installation: Installation,
    status: Exclude<InstallationStatus, 'active' | 'revoked'>,
    reason: string,
    manager: EntityManager,
  ): Promise<MarkedInstallation[]> {
    const members: { id: string; platform: string; external_org_id: string; external_org_name: string | null; status: InstallationStatus }[] = await manager.query(
      `SELECT id, platform, external_org_id, external_org_name, status FROM installations
       WHERE id = $1 OR ($2::uuid IS NOT NULL AND oauth_grant_id = $2 AND platform = $3 AND status <> 'revoked')
       FOR UPDATE`,
      [installation.id, installation.oauthGrantId, installation.platform],
    );
    await manager
      .createQueryBuilder()
      .update(Installation)
      .set({ status, statusReason: reason })
      .where({ id: In(members.map((member) => member.id)) })
      .execute();
    return members.map((member) => ({
      id: member.id,
      platform: member.platform,
      externalOrgId: member.external_org_id,
      externalOrgName: member.external_org_name,
      previousStatus: member.status,
    }));
  }

  /** Writes last-used times in one statement; never moves a time backwards. */
  async recordLastUsed(times: Map<string, Date>): Promise<void> {
    if (times.size === 0) return;
    await this.dataSource.query(
      `UPDATE installations AS i SET last_used_at = v.at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
        WHERE i.id = v.id AND (i.last_used_at IS NULL OR i.last_used_at < v.at)`,
      [[...times.keys()], [...times.values()].map((at) => at.toISOString())],
    );
  }

  private async grantMemberIds(installation: Installation, manager: EntityManager): Promise<string[]> {
    if (!installation.oauthGrantId) return [installation.id];
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM installations WHERE (oauth_grant_id = $1 AND platform = $2 AND status <> 'revoked') OR id = $3 FOR UPDATE`,
      [installation.oauthGrantId, installation.platform, installation.id],
    );
    return rows.map((row) => row.id);
  }
}
