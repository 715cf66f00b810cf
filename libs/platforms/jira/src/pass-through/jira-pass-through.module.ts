import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { JiraPassThroughTarget } from './jira-pass-through.target';

/** `ANY /rest/*` → the Jira Cloud REST API of the installation's site. */
@Module({
  imports: [PassThroughModule],
  controllers: [
    passThroughController({
      path: 'rest/{*path}',
      tag: 'jira',
      errors: 'Refusals are Jira-shaped: `{ errorMessages: [...], errors: {}, code }` with the HTTP status of the `code` (401, 400, 404, 409, 410, 413, 502, 503, 504)',
      summary: 'Forward a Jira REST call to ATLASSIAN_API_BASE_URL/ex/jira/{cloudId}/rest/... with the installation token',
    }),
  ],
  providers: [{ provide: PassThroughTarget, useClass: JiraPassThroughTarget }],
})
export class JiraPassThroughModule {}
