import { AuditEvent } from './entities/audit-event.entity';
import { HealthEventDelivery } from './entities/health-event-delivery.entity';
import { HealthEventEndpoint } from './entities/health-event-endpoint.entity';
import { HealthEvent } from './entities/health-event.entity';
import { Installation } from './entities/installation.entity';
import { OAuthState } from './entities/oauth-state.entity';
import { WebhookRegistration } from './entities/webhook-registration.entity';
import { CreateInstallations1764050000000 } from './migrations/1764050000000-create-installations';
import { AddAuditEventsAndGrants1764060000000 } from './migrations/1764060000000-add-audit-events-and-grants';
import { CreateWebhookTasks1764080000000 } from './migrations/1764080000000-create-webhook-tasks';
import { AddSentryAndWebhookRegistrations1764105000000 } from './migrations/1764105000000-add-sentry-and-webhook-registrations';
import { CreateTokenCacheListeners1764120000000 } from './migrations/1764120000000-create-token-cache-listeners';
import { CreateHealthEvents1764130000000 } from './migrations/1764130000000-create-health-events';
import { AddConsoleIndexes1764130001000 } from './migrations/1764130001000-add-console-indexes';
import { AddWebhookTaskTraceparent1764140000000 } from './migrations/1764140000000-add-webhook-task-traceparent';
import { CreateRateLimitHits1764160000000 } from './migrations/1764160000000-create-rate-limit-hits';

/** Every entity of the product's schema; TypeORM is given this list, never a glob, so bundles stay whole. */
export const SCHEMA_ENTITIES = [Installation, OAuthState, AuditEvent, HealthEvent, HealthEventEndpoint, HealthEventDelivery, WebhookRegistration];

/** Every migration in order of application. */
export const SCHEMA_MIGRATIONS = [
  CreateInstallations1764050000000,
  AddAuditEventsAndGrants1764060000000,
  CreateWebhookTasks1764080000000,
  AddSentryAndWebhookRegistrations1764105000000,
  CreateTokenCacheListeners1764120000000,
  CreateHealthEvents1764130000000,
  AddConsoleIndexes1764130001000,
  AddWebhookTaskTraceparent1764140000000,
  CreateRateLimitHits1764160000000,
];
