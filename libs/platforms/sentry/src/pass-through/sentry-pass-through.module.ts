import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { SentryPassThroughTarget } from './sentry-pass-through.target';

/** `ANY /api/0/*` → Sentry's web API with the installation's token; any other path is refused as not forwarded. */
@Module({
  imports: [PassThroughModule],
  // Every path, so a request outside /api/0/ is refused in Sentry's error shape too (not_forwarded).
  controllers: [passThroughController({ path: '{*path}', tag: 'sentry', summary: "Forward a Sentry web API call (/api/0/...) to SENTRY_BASE_URL/api/0/... with the installation's token" })],
  providers: [{ provide: PassThroughTarget, useClass: SentryPassThroughTarget }],
})
export class SentryPassThroughModule {}
