import { Installation } from '@bot/installations';
import { HookReport, InstallationHooks } from '@bot/providers';
import { Injectable } from '@nestjs/common';
import { JiraWebhookRegistrar } from './jira-webhook.registrar';

/** Jira's part of an installation's life in oauth-service: its dynamic webhooks follow the install and the revoke. */
@Injectable()
export class JiraInstallationHooks extends InstallationHooks {
  readonly platform = 'jira' as const;

  constructor(private readonly registrar: JiraWebhookRegistrar) {
    super();
  }

  afterInstall(installation: Installation): Promise<HookReport> {
    return this.registrar.register(installation);
  }

  beforeRevoke(installation: Installation): Promise<HookReport> {
    return this.registrar.unregister(installation);
  }
}
