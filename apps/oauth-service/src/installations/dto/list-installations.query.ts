import { INSTALLATION_STATUSES, InstallationStatus, Platform, PLATFORMS } from '@bot/installations';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** Filters of `GET /oauth/installations`. */
export class ListInstallationsQuery {
  @ApiPropertyOptional({ enum: PLATFORMS })
  @IsOptional() @IsIn(PLATFORMS, { message: `platform must be one of ${PLATFORMS.join(', ')}` })
  platform?: Platform;

  @ApiPropertyOptional({ enum: INSTALLATION_STATUSES })
  @IsOptional() @IsIn(INSTALLATION_STATUSES, { message: `status must be one of ${INSTALLATION_STATUSES.join(', ')}` })
  status?: InstallationStatus;
}
