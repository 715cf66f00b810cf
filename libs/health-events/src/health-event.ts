/** Every kind of health event an operator's endpoint can receive (docs/events.md describes each). */
export const HEALTH_EVENT_TYPES = [
  'installation.created',
  'installation.reinstalled',
  'installation.revoked',
  'installation.suspended',
  'installation.unsuspended',
  'installation.needs_reinstall',
  'installation.recovered',
  'token.refresh_failed',
  'webhook.dead_lettered',
] as const;
export type HealthEventType = (typeof HEALTH_EVENT_TYPES)[number];

/** The installation an event is about: an `Installation` row satisfies it as it is. */
export interface HealthEventSubject {
  id: string;
  platform: string;
  externalOrgId: string;
  externalOrgName: string | null;
  externalInstallId?: string | null;
}

/** What a flow appends to the outbox; time and id are given by the database at append. */
export interface NewHealthEvent {
  type: HealthEventType;
  /** The installation, or null for an event no installation matched (a dead letter of an unrouted delivery). */
  installation: HealthEventSubject | null;
  /** Needed only when `installation` is null. */
  platform?: string;
  /** The org the platform named, used only when `installation` is null. */
  org?: { id: string | null; name: string | null };
  /** Type-specific facts (a reason, an attempt count, a task id); never a token or secret. */
  data?: Record<string, unknown>;
}

/** The JSON body an endpoint receives; `X-Signature-256` is the HMAC-SHA256 of exactly these bytes. */
export interface HealthEventBody {
  id: string;
  type: HealthEventType;
  occurred_at: string;
  /** When this attempt was sent (ISO 8601); equal to `X-Event-Timestamp`, and signed, so replays can be refused. */
  sent_at: string;
  platform: string | null;
  installation_id: string | null;
  org: { id: string | null; name: string | null };
  data: Record<string, unknown>;
}

/** A stored event, as the dispatcher reads it. */
export interface StoredHealthEvent {
  id: string;
  type: HealthEventType;
  occurredAt: Date;
  platform: string | null;
  installationId: string | null;
  orgId: string | null;
  orgName: string | null;
  data: Record<string, unknown>;
}
