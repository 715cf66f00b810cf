import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import {
  AcceptedDelivery,
  assertVerified,
  bodyDigestId,
  header,
  Headers,
  idString,
  isObject,
  parseJsonObject,
  payloadText,
  shortString,
  verifyHubSignature,
  WebhookIntakeService,
  WebhookRejectedError,
} from '@bot/webhooks';
import { Injectable } from '@nestjs/common';
import { GitHubLifecycleService } from './github-lifecycle.service';

/** GitHub App deliveries: verified, routed by `installation.id`, lifecycle events applied, queued. */
@Injectable()
export class GitHubWebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntakeService,
    private readonly lifecycle: GitHubLifecycleService,
    private readonly clock: Clock,
  ) {}

  async receive(rawBody: Buffer, headers: Headers): Promise<AcceptedDelivery> {
    this.verify(rawBody, headers);
    const event = header(headers, 'x-github-event');
    if (!event) throw WebhookRejectedError.malformed('the X-GitHub-Event header is missing');
    const raw = rawBody.toString('utf8');
    const payload = parseJsonObject(raw, 'the GitHub payload');
    // GitHub keeps X-GitHub-Delivery across redeliveries, which makes it the dedupe key.
    const deliveryId = shortString(header(headers, 'x-github-delivery'), 255) ?? bodyDigestId(rawBody);
    const installation = isObject(payload['installation']) ? payload['installation'] : undefined;
    const installId = installation ? idString(installation['id']) : null;
    return this.intake.accept({
      task: {
        platform: 'github',
        eventType: event.slice(0, 128),
        action: shortString(payload['action']),
        deliveryId,
        payloadJson: payloadText(rawBody, raw),
        receivedAt: this.clock.now(),
        externalInstallId: installId,
        externalOrgId: accountId(payload, installation),
      },
      route: installId ? { by: 'external_install_id', value: installId } : { by: 'none' },
      lifecycle: this.lifecycle.stepFor(event, payload, deliveryId),
    });
  }

  /** `X-Hub-Signature-256` under GITHUB_WEBHOOK_SECRET; a 401 unless it holds. */
  private verify(rawBody: Buffer, headers: Headers): void {
    const secret = this.config.github?.webhookSecret;
    if (!secret) throw WebhookRejectedError.unverified('GitHub deliveries cannot be verified: GITHUB_WEBHOOK_SECRET is not configured', 'not_configured');
    assertVerified(verifyHubSignature(secret, rawBody, header(headers, 'x-hub-signature-256'), 'X-Hub-Signature-256'));
  }
}

/** The org or user account a delivery belongs to, as far as the payload says (the installation row's id wins). */
function accountId(payload: Record<string, unknown>, installation: Record<string, unknown> | undefined): string | null {
  if (installation && isObject(installation['account'])) return idString(installation['account']['id']);
  if (isObject(payload['organization'])) return idString(payload['organization']['id']);
  const repository = payload['repository'];
  if (isObject(repository) && isObject(repository['owner'])) return idString(repository['owner']['id']);
  return null;
}
