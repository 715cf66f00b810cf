import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { GitHubPassThroughTarget } from './github-pass-through.target';

/** `ANY /*` → the GitHub REST API with the installation's token. */
@Module({
  imports: [PassThroughModule],
  controllers: [
    passThroughController({
      path: '{*path}',
      tag: 'github',
      errors: 'Refusals are GitHub-shaped: `{ message, documentation_url, status, code }` with the HTTP status of the `code` (401, 400, 404, 409, 410, 413, 502, 503, 504)',
      summary: 'Forward any GitHub REST call to GITHUB_API_BASE_URL with the installation token',
    }),
  ],
  providers: [{ provide: PassThroughTarget, useClass: GitHubPassThroughTarget }],
})
export class GitHubPassThroughModule {}
