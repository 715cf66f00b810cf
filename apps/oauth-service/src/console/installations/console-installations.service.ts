import { AppConfig } from '@bot/config';
import { AuditEvent, AuditEventRepository, INSTALLATION_STATUSES, InstallationRepository, InstallationSummary, WebhookRegistrationRepository } from '@bot/installations';
import { Injectable, NotFoundException } from '@nestjs/common';
import { RevocationResultDto } from '../../installations/dto/revocation-result.dto';
import { InstallationsService } from '../../installations/installations.service';
import { BIGINT_PATTERN, decodeCursor, encodeCursor, UUID_PATTERN } from '../paging/page-cursor';
import type { WebhookRegistrationView } from '../views/installations.view';
import { CONSOLE_PLATFORMS, ConsoleInstallationsQuery } from './dto/console-installations.query';
import { webhookRegistrationsOf } from './webhook-registrations';

/** Rows per page of the installations list. */
export const INSTALLATIONS_PAGE_SIZE = 50;
/** Audit events per page of an installation. */
export const AUDIT_PAGE_SIZE = 50;

export interface InstallationListData {
  counts: Record<string, Record<string, number>>;
  rows: InstallationSummary[];
  next: string | null;
  previous: string | null;
}

export interface InstallationDetailData {
  installation: InstallationSummary;
  audit: AuditEvent[];
  olderAudit: string | null;
  webhooks: WebhookRegistrationView[] | null;
  reinstallUrl: string;
}

/** What the console's installation pages read, and the revoke they trigger (the admin API's own). */
@Injectable()
export class ConsoleInstallationsService {
  readonly platforms = CONSOLE_PLATFORMS;
  readonly statuses = INSTALLATION_STATUSES;

  constructor(
    private readonly installations: InstallationRepository,
    private readonly audit: AuditEventRepository,
    private readonly admin: InstallationsService,
    private readonly config: AppConfig,
    private readonly registrations: WebhookRegistrationRepository,
  ) {}

  /** Counts per platform and status, and one page of the filtered list. */
  async list(query: ConsoleInstallationsQuery): Promise<InstallationListData> {
    const position = (cursor?: string) => (cursor ? toInstallationCursor(cursor) : undefined);
    const [counts, page] = await Promise.all([
      this.installations.countByPlatformAndStatus(),
      this.installations.page({
        platform: query.platform,
        status: query.status,
        search: query.q,
        limit: INSTALLATIONS_PAGE_SIZE,
        after: position(query.after),
        before: position(query.before),
      }),
    ]);
    const matrix: Record<string, Record<string, number>> = {};
    for (const row of counts) (matrix[row.platform] ??= {})[row.status] = row.count;
    return {
      counts: matrix,
      rows: page.rows,
      next: page.next && encodeCursor({ at: page.next.createdAt, id: page.next.id }),
      previous: page.previous && encodeCursor({ at: page.previous.createdAt, id: page.previous.id }),
    };
  }

  /** One installation without secrets, a page of its audit trail, its webhooks and its re-install link; 404 when unknown. */
  async detail(id: string, auditAfter?: string): Promise<InstallationDetailData> {
    const cursor = auditAfter ? decodeCursor(auditAfter, BIGINT_PATTERN) : undefined;
    const [installation, audit, registration] = await Promise.all([
      this.installations.findSummaryById(id),
      this.audit.pageForInstallation(id, AUDIT_PAGE_SIZE, cursor && { occurredAt: cursor.at, id: cursor.id }),
      this.registrations.forInstallation(id),
    ]);
    if (!installation) throw new NotFoundException(`There is no installation ${id}.`);
    return {
      installation,
      audit: audit.events,
      olderAudit: audit.next && encodeCursor({ at: audit.next.occurredAt, id: audit.next.id }),
      webhooks: webhookRegistrationsOf(installation, registration, this.config.webhookPublicBaseUrl),
      reinstallUrl: `${this.config.baseUrl}/oauth/install/${installation.platform}`,
    };
  }

  /** The installation (for the confirm step); 404 when unknown. */
  async find(id: string): Promise<InstallationSummary> {
    const installation = await this.installations.findSummaryById(id);
    if (!installation) throw new NotFoundException(`There is no installation ${id}.`);
    return installation;
  }

  /** Revokes through the same service as `DELETE /oauth/installations/:id` (answers once the API processes dropped the token). */
  revoke(id: string): Promise<RevocationResultDto> {
    return this.admin.revoke(id);
  }
}

function toInstallationCursor(cursor: string) {
  const position = decodeCursor(cursor, UUID_PATTERN);
  return { createdAt: position.at, id: position.id.toLowerCase() };
}
