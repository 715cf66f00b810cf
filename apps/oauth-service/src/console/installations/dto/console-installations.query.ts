import { INSTALLATION_STATUSES, InstallationStatus, Platform } from '@bot/installations';
import { PLATFORM_MODULES } from '@bot/platforms';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EmptyAsUnset, IsCursor } from '../../paging/page-cursor';

/** The platforms of the registry, in its order: the console's filters and counts cover exactly these. */
export const CONSOLE_PLATFORMS: readonly Platform[] = PLATFORM_MODULES.map((entry) => entry.platform);

/** Filters and page of `/admin/installations`. */
export class ConsoleInstallationsQuery {
  @EmptyAsUnset() @IsOptional() @IsIn(CONSOLE_PLATFORMS, { message: `platform must be one of ${CONSOLE_PLATFORMS.join(', ')}` })
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

export const INSTALLATION_NOTICES = ['revoked', 'revoked_unconfirmed', 'already_revoked'] as const;

/** Page of the audit trail, and a notice after an action. */
export class ConsoleInstallationQuery {
  @IsCursor()
  audit_after?: string;

  @EmptyAsUnset() @IsOptional() @IsIn(INSTALLATION_NOTICES)
  notice?: (typeof INSTALLATION_NOTICES)[number];
}
