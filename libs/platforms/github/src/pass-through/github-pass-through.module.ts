import { PassThroughModule, PassThroughTarget, passThroughController } from '@bot/pass-through';
import { Module } from '@nestjs/common';
import { GitHubPassThroughTarget } from './github-pass-through.target';

/** `ANY /*` → the GitHub REST API with the installation's token. */
@Module({
  imports: [PassThroughModule],
  controllers: [passThroughController({ path: '{*path}', tag: 'github', summary: 'Forward any GitHub REST call to GITHUB_API_BASE_URL with the installation token' })],
  providers: [{ provide: PassThroughTarget, useClass: GitHubPassThroughTarget }],
})
export class GitHubPassThroughModule {}
