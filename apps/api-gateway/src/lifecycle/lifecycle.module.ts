import { InstallationLifecycleRepository } from '@bot/installations';
import { GitHubLifecycleService } from '@bot/platform-github';
import { SlackLifecycleService } from '@bot/platform-slack';
import { Module } from '@nestjs/common';

/** Installation changes caused by platform lifecycle events (install, uninstall, suspend, permissions, tokens). */
@Module({
  providers: [GitHubLifecycleService, SlackLifecycleService, InstallationLifecycleRepository],
  exports: [GitHubLifecycleService, SlackLifecycleService],
})
export class LifecycleModule {}
