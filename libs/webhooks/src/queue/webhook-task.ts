import { PLATFORMS } from '@bot/installations';

/** Platforms whose webhooks the gateway accepts; one queue per platform. */
export const WEBHOOK_QUEUES = PLATFORMS;
export type WebhookQueue = (typeof WEBHOOK_QUEUES)[number];

/** PostgreSQL channel the gateway notifies (payload: the queue name) when it commits a new task. */
export const WEBHOOK_TASK_ENQUEUED_CHANNEL = 'webhook_task_enqueued';

/** Attempts a task gets before it is dead-lettered, unless the enqueuer says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 10;

export const WEBHOOK_TASK_STATUSES = ['pending', 'processing', 'done', 'dead'] as const;
export type WebhookTaskStatus = (typeof WEBHOOK_TASK_STATUSES)[number];

/** One accepted webhook delivery, as consumers receive it. */
export interface WebhookTask {
  /** bigserial, as a string (it can outgrow a JS number). */
  id: string;
  queue: WebhookQueue;
  platform: WebhookQueue;
  /** Our installation (uuid), or null when no live installation matched the delivery. */
  installationId: string | null;
  externalOrgId: string | null;
  externalInstallId: string | null;
  /** GitHub `X-GitHub-Event`; Slack `event.type`, interactive `payload.type` or `slash_command`; Jira `webhookEvent`. */
  eventType: string;
  /** GitHub `action`; Slack `event.subtype`, the action id or the command; Jira `issue_event_type_name`. */
  action: string | null;
  deliveryId: string;
  payload: unknown;
  receivedAt: Date;
  status: WebhookTaskStatus;
  /** Attempts started so far, this one included while processing. */
  attempts: number;
  maxAttempts: number;
  runAfter: Date;
  lockedUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  /** W3C traceparent of the request that queued the task (null when tracing was off); see `taskTraceContext`. */
  traceparent: string | null;
}

/** What the gateway writes for an accepted delivery. */
export interface NewWebhookTask {
  platform: WebhookQueue;
  eventType: string;
  action: string | null;
  deliveryId: string;
  /**
   * The payload as JSON text: the verified raw body for JSON deliveries, so nothing is re-serialised, kept as its
   * UTF-8 bytes (see `payloadText`) so it reaches the driver without another copy and outside the JS heap.
   */
  payloadJson: string | Buffer;
  receivedAt: Date;
  /** Ids read from the payload; the matched installation's own ids win when one is found. */
  externalOrgId?: string | null;
  externalInstallId?: string | null;
  maxAttempts?: number;
  /** W3C traceparent of the enqueuing span, so the consumer continues the trace. */
  traceparent?: string | null;
}

/**
 * How a delivery finds its installation, resolved inside the INSERT (one round trip): GitHub by installation id,
 * Slack by team / enterprise ids in order of preference, Jira by site URL or cloud id, admin webhooks by our id.
 * Revoked installations never match.
 */
export type InstallationRoute =
  | { by: 'none' }
  | { by: 'external_install_id'; value: string }
  | { by: 'external_org_ids'; values: string[] }
  | { by: 'site_url'; value: string }
  | { by: 'installation_id'; value: string };

/** Result of an enqueue: the task's id, or `duplicate` when the delivery id was seen before. */
export type EnqueueResult = { duplicate: false; taskId: string; installationId: string | null } | { duplicate: true };
