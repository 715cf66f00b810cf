import { TokenCacheConfirmationDto } from '@bot/tokens';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class ProviderRevocationDto {
  @ApiProperty({ description: 'true when the provider confirmed the revocation (Slack auth.revoke, GitHub uninstall)' })
  revoked: boolean;

  @ApiProperty({ example: 'Atlassian has no revocation endpoint; the grant ends when the user removes the app' })
  detail: string;
}

class PlatformCleanupDto {
  @ApiProperty({ example: 'webhook_registrations' })
  step: string;

  @ApiProperty({ description: 'false when the clean-up failed; the revoke happened anyway' })
  ok: boolean;

  @ApiProperty({ example: 'deleted Jira webhook 10000' })
  detail: string;
}

/** The answer of `DELETE /oauth/installations/:id`. */
export class RevocationResultDto {
  @ApiProperty({ example: true })
  success: true;

  @ApiProperty({ format: 'uuid' })
  installation_id: string;

  @ApiProperty({ example: 'revoked' })
  status: 'revoked';

  @ApiProperty({ description: 'true when it had been revoked before (nothing changed)' })
  already_revoked: boolean;

  @ApiProperty({ type: ProviderRevocationDto })
  provider_revocation: ProviderRevocationDto;

  @ApiProperty({
    type: TokenCacheConfirmationDto,
    description: 'the answer comes once every API process dropped the token or its lease ran out (at most TOKEN_CACHE_LEASE_MS for an unreachable process)',
  })
  token_caches: TokenCacheConfirmationDto;

  @ApiPropertyOptional({ type: PlatformCleanupDto, description: "what the platform's revoke hook did before the tokens were erased (Jira: deleting its dynamic webhooks); absent for platforms without one" })
  platform_cleanup?: PlatformCleanupDto;
}
