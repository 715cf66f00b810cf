import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { SentryPassThroughTarget } from './sentry-pass-through.target';

/** `ANY /api/0/*` → Sentry's web API with the installation's token. */
@Module({
  imports: [PassThroughModule],
  controllers: [
    passThroughController({
      path: 'api/0/{*path}',
      tag: 'sentry',
      errors: 'Refusals are Sentry-shaped: `{ detail, code }` with the HTTP status of the `code` (401, 400, 404, 409, 410, 413, 502, 503, 504)',
      summary: "Forward a Sentry web API call to SENTRY_BASE_URL/api/0/... with the installation's token",
    }),
  ],
  providers: [{ provide: PassThroughTarget, useClass: SentryPassThroughTarget }],
})
export class SentryPassThroughModule {}
