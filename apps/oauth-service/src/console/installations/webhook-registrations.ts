import type { InstallationSummary } from '@bot/installations';
import type { WebhookRegistrationView } from '../views/installations.view';

/**
 * The per-installation webhook registrations the console lists: the one place that knows where they are
 * stored. Jira is the only platform with registrations per installation (GitHub and Slack webhooks belong to
 * the app). Today that is the admin webhook, whose secret is set or not; dynamic registrations (ids and
 * expiries stored on the installation) are added here when they are stored. Null: none for this platform.
 */
export function webhookRegistrationsOf(installation: InstallationSummary): WebhookRegistrationView[] | null {
  if (installation.platform !== 'jira') return null;
  return [
    {
      kind: 'Jira admin webhook',
      target: `api-gateway /webhooks/jira/${installation.id}`,
      state: installation.hasWebhookSecret ? 'secret set: signed deliveries are accepted' : 'no secret set: deliveries are refused',
      expiresAt: null,
    },
  ];
}
