import type { Installation, Platform } from '@bot/installations';

/** What a hook did, for the audit trail and the admin answer; `detail` never holds a token. */
export interface HookReport {
  /** What the hook is about, e.g. `webhook_registrations`. */
  step: string;
  ok: boolean;
  detail: string;
}

/**
 * Platform work around an installation's life beyond the OAuth exchange (Jira: registering its dynamic webhooks
 * on install, deleting them on revoke). A hook never undoes an install and never blocks a revoke: it reports.
 */
export abstract class InstallationHooks {
  abstract readonly platform: Platform;

  /** After an install or re-install was committed. */
  abstract afterInstall(installation: Installation): Promise<HookReport>;

  /** Before a revoke erases the stored tokens (the hook may still use them). */
  abstract beforeRevoke(installation: Installation): Promise<HookReport>;
}
