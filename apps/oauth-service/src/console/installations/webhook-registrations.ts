import type { InstallationSummary, WebhookRegistration } from '@bot/installations';
import type { WebhookRegistrationView } from '../views/installations.view';

/**
 * The per-installation webhook registrations the console lists: the one place that turns what is stored into
 * rows. Jira is the only platform with registrations per installation (GitHub, Slack and Sentry webhooks belong
 * to the app): its dynamic webhooks (`webhook_registrations`, read through WebhookRegistrationRepository) and the
 * admin webhook, whose secret is set or not. Null: none for this platform.
 */
export function webhookRegistrationsOf(installation: InstallationSummary, registration: WebhookRegistration | null, webhookPublicBaseUrl: string): WebhookRegistrationView[] | null {
  if (installation.platform !== 'jira') return null;
  const rows: WebhookRegistrationView[] = [];
  if (registration) rows.push({ kind: 'Jira dynamic webhooks', target: registration.url, state: dynamicState(registration), expiresAt: registration.status === 'deleted' ? null : registration.expiresAt });
  rows.push({
    kind: 'Jira admin webhook',
    target: `${webhookPublicBaseUrl}/webhooks/jira/${installation.id}`,
    state: installation.hasWebhookSecret ? 'secret set: signed deliveries are accepted' : 'no secret set: deliveries are refused',
    expiresAt: null,
  });
  return rows;
}

function dynamicState(registration: WebhookRegistration): string {
  const ids = registration.externalIds.length ? `ids ${registration.externalIds.join(', ')}` : 'no id';
  switch (registration.status) {
    case 'active':
      return `registered (${ids}; ${registration.events.join(', ')}; JQL ${registration.filter ?? '—'})`;
    case 'failing':
      return `failing ${registration.failures}× (${ids}): ${registration.lastError ?? 'unknown error'}; retried after ${registration.retryAt?.toISOString() ?? 'the next round'}`;
    case 'deleted':
      return registration.lastError ? `deleted here, ${registration.lastError} (${ids})` : 'deleted at Jira';
  }
}
