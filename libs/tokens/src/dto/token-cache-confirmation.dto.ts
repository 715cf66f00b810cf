import { ApiProperty } from '@nestjs/swagger';

/** An API process named in a revocation answer. */
export class TokenCacheProcessDto {
  @ApiProperty({ example: 'slack-api' })
  app: string;

  @ApiProperty({ example: 'slack-api-7d9f' })
  host: string;

  @ApiProperty({ example: 4211 })
  pid: number;
}

/** An API process that did not acknowledge, with how long it has been silent. */
export class SilentTokenCacheProcessDto extends TokenCacheProcessDto {
  @ApiProperty({ example: 2140, description: 'milliseconds since its last heartbeat' })
  silent_ms: number;
}

/** What a revoke knew, when it answered, about the token caches of the running API processes. */
export class TokenCacheConfirmationDto {
  @ApiProperty({
    description:
      'true: every registered API process acknowledged, or its lease (TOKEN_CACHE_LEASE_MS) ran out so it serves no cached token; no process forwards the revoked token any more',
  })
  confirmed: boolean;

  @ApiProperty({ example: 42, description: 'the barrier revision that was waited for' })
  revision: number;

  @ApiProperty({ example: 6 })
  waited_ms: number;

  @ApiProperty({ type: [TokenCacheProcessDto], description: 'processes that dropped the token' })
  acknowledged: TokenCacheProcessDto[];

  @ApiProperty({ type: [SilentTokenCacheProcessDto], description: 'unreachable processes (frozen, cut off, crashed) counted by their expired lease' })
  lease_expired: SilentTokenCacheProcessDto[];

  @ApiProperty({ type: [SilentTokenCacheProcessDto], description: 'processes that kept their lease without acknowledging within two leases (then confirmed is false)' })
  unconfirmed: SilentTokenCacheProcessDto[];
}
