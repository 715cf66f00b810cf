import { Module } from '@nestjs/common';
import { GitHubLifecycleService } from './github-lifecycle.service';
import { InstallationLifecycleRepository } from './installation-lifecycle.repository';
import { SlackLifecycleService } from './slack-lifecycle.service';

/** Installation changes caused by platform lifecycle events (install, uninstall, suspend, permissions, tokens). */
@Module({
  providers: [GitHubLifecycleService, SlackLifecycleService, InstallationLifecycleRepository],
  exports: [GitHubLifecycleService, SlackLifecycleService],
})
export class LifecycleModule {}
