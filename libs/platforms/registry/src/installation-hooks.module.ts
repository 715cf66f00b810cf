import { Installation, Platform } from '@bot/installations';
import { HookReport, InstallationHooks } from '@bot/providers';
import { Injectable, Logger, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PLATFORM_MODULES } from './registry';

const hookParts = PLATFORM_MODULES.flatMap((entry) => ('hooks' in entry && entry.hooks ? [entry.hooks] : []));

/**
 * Runs the install and revoke hooks of whichever platform has them (see InstallationHooks). A hook that throws is
 * reported like one that answered `ok: false`: installs and revokes go on regardless.
 */
@Injectable()
export class InstallationHookRunner {
  private readonly logger = new Logger('InstallationHooks');
  private hooks?: ReadonlyMap<Platform, InstallationHooks>;

  constructor(private readonly moduleRef: ModuleRef) {}

  /** Looked up on first use: during construction the other modules' instances may not exist yet. */
  private byPlatform(): ReadonlyMap<Platform, InstallationHooks> {
    this.hooks ??= new Map(
      hookParts.map((part) => {
        const hooks = this.moduleRef.get<InstallationHooks>(part.provider, { strict: false });
        return [hooks.platform, hooks];
      }),
    );
    return this.hooks;
  }

  /** After an install or re-install was committed; undefined when the platform has no hooks. */
  afterInstall(installation: Installation): Promise<HookReport | undefined> {
    return this.run(installation, 'afterInstall');
  }

  /** Before a revoke erases the tokens; undefined when the platform has no hooks. */
  beforeRevoke(installation: Installation): Promise<HookReport | undefined> {
    return this.run(installation, 'beforeRevoke');
  }

  private async run(installation: Installation, stage: 'afterInstall' | 'beforeRevoke'): Promise<HookReport | undefined> {
    const hooks = this.byPlatform().get(installation.platform);
    if (!hooks) return undefined;
    let report: HookReport;
    try {
      report = await hooks[stage](installation);
    } catch (error) {
      report = { step: stage, ok: false, detail: (error as Error).message };
    }
    if (!report.ok) this.logger.warn(`${installation.platform} installation ${installation.id}: ${stage} ${report.step}: ${report.detail}`);
    return report;
  }
}

/** The hooks of every registered platform that has them; needs AppConfig, DatabaseModule and PlatformsModule in scope. */
@Module({
  imports: hookParts.map((part) => part.module),
  providers: [InstallationHookRunner],
  exports: [InstallationHookRunner],
})
export class InstallationHooksModule {}
