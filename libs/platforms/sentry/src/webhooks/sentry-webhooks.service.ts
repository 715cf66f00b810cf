import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import { AcceptedDelivery, assertVerified, bodyDigestId, header, Headers, isObject, parseJsonObject, shortString, WebhookIntakeService, WebhookRejectedError } from '@bot/webhooks';
import { Injectable } from '@nestjs/common';
import { SentryLifecycleService } from './sentry-lifecycle.service';
import { verifySentrySignature } from './sentry-signature';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sentry integration-platform deliveries: `Sentry-Hook-Signature` under the client secret, routed by the payload's
 * `installation.uuid`, deduped by `Request-ID`, `installation` `deleted` applied as a revoke, queued.
 */
@Injectable()
export class SentryWebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntakeService,
    private readonly lifecycle: SentryLifecycleService,
    private readonly clock: Clock,
  ) {}

  async receive(rawBody: Buffer, headers: Headers): Promise<AcceptedDelivery> {
    const secret = this.config.sentry?.clientSecret;
    if (!secret) throw WebhookRejectedError.unverified('Sentry deliveries cannot be verified: SENTRY_CLIENT_SECRET is not configured', 'not_configured');
    assertVerified(verifySentrySignature(secret, rawBody, header(headers, 'sentry-hook-signature')));
    const resource = shortString(header(headers, 'sentry-hook-resource'));
    if (!resource) throw WebhookRejectedError.malformed('the Sentry-Hook-Resource header is missing');
    const raw = rawBody.toString('utf8');
    const payload = parseJsonObject(raw, 'the Sentry payload');
    const action = shortString(payload['action']);
    const installationUuid = isObject(payload['installation']) && typeof payload['installation']['uuid'] === 'string' && UUID.test(payload['installation']['uuid']) ? payload['installation']['uuid'] : null;
    // Sentry sends one Request-ID per delivery and repeats it when it retries.
    const deliveryId = shortString(header(headers, 'request-id'), 240) ?? bodyDigestId(rawBody);
    return this.intake.accept({
      task: {
        platform: 'sentry',
        eventType: resource,
        action,
        deliveryId,
        payloadJson: raw,
        receivedAt: this.clock.now(),
        externalInstallId: installationUuid,
        externalOrgId: organizationSlug(payload),
      },
      route: installationUuid ? { by: 'external_install_id', value: installationUuid } : { by: 'none' },
      lifecycle: this.lifecycle.stepFor(resource, action, deliveryId),
    });
  }
}

/** The organization slug a payload names (installation payloads carry it), else null. */
function organizationSlug(payload: Record<string, unknown>): string | null {
  const data = payload['data'];
  if (!isObject(data) || !isObject(data['installation']) || !isObject(data['installation']['organization'])) return null;
  return shortString(data['installation']['organization']['slug'], 255);
}
