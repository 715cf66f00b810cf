import { Clock } from '@bot/providers';
import { Module } from '@nestjs/common';
import { TokenCacheListenerRepository } from './token-cache-listener.repository';
import { TokenRevocationBarrier } from './token-revocation.barrier';

/** The TokenRevocationBarrier for apps that revoke or suspend installations; needs DatabaseModule in scope. */
@Module({
  providers: [TokenRevocationBarrier, TokenCacheListenerRepository, Clock],
  exports: [TokenRevocationBarrier],
})
export class TokenRevocationModule {}
