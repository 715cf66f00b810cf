import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Query of `GET /oauth/callback/:platform` as the providers send it. */
export class CallbackQueryDto {
  @ApiPropertyOptional({ description: 'Authorization code (Slack, Jira; optional for GitHub)' })
  @IsOptional() @IsString() @MaxLength(2048)
  code?: string;

  @ApiPropertyOptional({ description: 'The state issued by /oauth/install' })
  @IsOptional() @IsString() @MaxLength(256)
  state?: string;

  @ApiPropertyOptional({ description: 'Provider error, e.g. access_denied' })
  @IsOptional() @IsString() @MaxLength(256)
  error?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(1024)
  error_description?: string;

  @ApiPropertyOptional({ description: 'GitHub: the installation that was just created or updated' })
  @IsOptional() @Matches(/^\d{1,20}$/, { message: 'installation_id must be a number' })
  installation_id?: string;

  @ApiPropertyOptional({ description: 'GitHub: install, update or request' })
  @IsOptional() @IsString() @MaxLength(32)
  setup_action?: string;

  @ApiPropertyOptional({ description: 'Sentry: the installation (a UUID) the grant code belongs to' })
  @IsOptional() @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'installationId must be a UUID' })
  installationId?: string;

  @ApiPropertyOptional({ description: 'Sentry: slug of the organization that installed the integration' })
  @IsOptional() @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/i, { message: 'orgSlug must be an organization slug' })
  orgSlug?: string;
}

/** Query of `GET /oauth/install/:platform`. */
export class InstallQueryDto {
  @ApiPropertyOptional({ description: 'Where to send the browser after the callback; must match OAUTH_RETURN_TO_ALLOWLIST' })
  @IsOptional() @IsString() @MaxLength(2048)
  return_to?: string;
}
