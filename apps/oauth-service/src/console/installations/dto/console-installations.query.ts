import { INSTALLATION_STATUSES, InstallationStatus, Platform, PLATFORMS } from '@bot/installations';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EmptyAsUnset, IsCursor } from '../../paging/page-cursor';

/** Filters and page of `/admin/installations`. */
export class ConsoleInstallationsQuery {
  @EmptyAsUnset() @IsOptional() @IsIn(PLATFORMS, { message: `platform must be one of ${PLATFORMS.join(', ')}` })
  platform?: Platform;

  @EmptyAsUnset() @IsOptional() @IsIn(INSTALLATION_STATUSES, { message: `status must be one of ${INSTALLATION_STATUSES.join(', ')}` })
  status?: InstallationStatus;

  @EmptyAsUnset() @IsOptional() @IsString() @MaxLength(200, { message: 'the organisation search is limited to 200 characters' })
  q?: string;

  @IsCursor()
  after?: string;

  @IsCursor()
  before?: string;
}

export const INSTALLATION_NOTICES = ['revoked', 'already_revoked'] as const;

/** Page of the audit trail, and a notice after an action. */
export class ConsoleInstallationQuery {
  @IsCursor()
  audit_after?: string;

  @EmptyAsUnset() @IsOptional() @IsIn(INSTALLATION_NOTICES)
  notice?: (typeof INSTALLATION_NOTICES)[number];
}
