import { Installation, InstallationRepository } from '@bot/installations';
import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import {
  AcceptedDelivery,
  assertVerified,
  bodyDigestId,
  header,
  Headers,
  InstallationRoute,
  isObject,
  parseJsonObject,
  payloadText,
  shortString,
  verifyHubSignature,
  WebhookIntakeService,
  WebhookRejectedError,
} from '@bot/webhooks';
import { Injectable } from '@nestjs/common';
import { verifyJiraWebhookJwt } from './jira-jwt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Jira Cloud deliveries: dynamic webhooks of our OAuth 2.0 app (JWT under the client secret, routed by the
 * site their `self` links name) and admin webhooks pointed at `/webhooks/jira/:installationId` (HMAC under
 * that installation's own webhook secret, routed by the path).
 */
@Injectable()
export class JiraWebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntakeService,
    private readonly installations: InstallationRepository,
    private readonly clock: Clock,
  ) {}

  async receiveAppWebhook(rawBody: Buffer, headers: Headers): Promise<AcceptedDelivery> {
    this.verifyAppJwt(headers);
    const raw = rawBody.toString('utf8');
    const payload = parseJsonObject(raw, 'the Jira payload');
    const site = siteOf(payload);
    const route: InstallationRoute = !site ? { by: 'none' } : site.cloudId ? { by: 'external_org_ids', values: [site.cloudId] } : { by: 'site_url', value: site.url };
    return this.accept(rawBody, raw, payload, headers, route, site?.cloudId ?? null);
  }

  async receiveAdminWebhook(installationId: string, rawBody: Buffer, headers: Headers): Promise<AcceptedDelivery> {
    // Every way of not knowing the secret answers the same 401, so the path does not reveal which ids exist.
    const installation = UUID.test(installationId) ? await this.installations.findById(installationId) : null;
    if (!installation || installation.platform !== 'jira' || installation.status === 'revoked' || !installation.webhookSecret) {
      throw WebhookRejectedError.unverified('the X-Hub-Signature cannot be verified: no live Jira installation with a webhook secret has this id');
    }
    assertVerified(verifyHubSignature(installation.webhookSecret, rawBody, header(headers, 'x-hub-signature'), 'X-Hub-Signature'));
    const raw = rawBody.toString('utf8');
    const payload = parseJsonObject(raw, 'the Jira payload');
    return this.accept(rawBody, raw, payload, headers, { by: 'installation_id', value: installation.id }, installation.externalOrgId);
  }

  /**
   * A delivery Jira reported as failed (`GET /rest/api/3/webhook/failed`), queued for the site that reported it.
   * Its id is the X-Atlassian-Webhook-Identifier the live delivery carried, so the same dedupe applies: a
   * delivery that did arrive, or one already recovered, is not queued again.
   */
  requeueFailedDelivery(installation: Installation, identifier: string, body: string): Promise<AcceptedDelivery> {
    const payload = parseJsonObject(body, 'the failed Jira delivery');
    const rawBody = Buffer.from(body, 'utf8');
    return this.accept(rawBody, body, payload, { 'x-atlassian-webhook-identifier': identifier }, { by: 'installation_id', value: installation.id }, installation.externalOrgId);
  }

  /** Dynamic webhooks: the Authorization JWT under JIRA_CLIENT_SECRET; a 401 unless it holds. */
  private verifyAppJwt(headers: Headers): void {
    const secret = this.config.jira?.clientSecret;
    if (!secret) throw WebhookRejectedError.unverified('Jira deliveries cannot be verified: JIRA_CLIENT_SECRET is not configured', 'not_configured');
    const check = verifyJiraWebhookJwt(header(headers, 'authorization'), secret, Math.floor(this.clock.now().getTime() / 1000));
    if (!check.valid) throw WebhookRejectedError.unverified(check.reason);
  }

  private accept(rawBody: Buffer, raw: string, payload: Record<string, unknown>, headers: Headers, route: InstallationRoute, orgId: string | null): Promise<AcceptedDelivery> {
    return this.intake.accept({
      task: {
        platform: 'jira',
        eventType: shortString(payload['webhookEvent']) ?? 'unknown',
        action: shortString(payload['issue_event_type_name']),
        // Jira's retries repeat X-Atlassian-Webhook-Identifier; without it the body (which carries a timestamp) is the key.
        deliveryId: shortString(header(headers, 'x-atlassian-webhook-identifier'), 240) ?? bodyDigestId(rawBody),
        payloadJson: payloadText(rawBody, raw),
        receivedAt: this.clock.now(),
        externalOrgId: orgId,
      },
      route,
    });
  }
}

/**
 * The site a Jira payload belongs to, from the first `self` link found near the top (issue, comment, user, …):
 * its origin (`https://acme.atlassian.net`), or the cloud id when the link goes through api.atlassian.com.
 */
export function siteOf(payload: Record<string, unknown>): { url: string; cloudId: string | null } | null {
  const queue: unknown[] = [payload];
  for (let depth = 0; depth < 3 && queue.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of queue) {
      if (!isObject(node)) continue;
      if (typeof node['self'] === 'string') {
        const site = parseSelf(node['self']);
        if (site) return site;
      }
      for (const value of Object.values(node)) if (isObject(value)) next.push(value);
    }
    queue.splice(0, queue.length, ...next);
  }
  return null;
}

function parseSelf(self: string): { url: string; cloudId: string | null } | null {
  let url: URL;
  try {
    url = new URL(self);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const cloudId = /^\/ex\/jira\/([0-9a-f-]{36})\//i.exec(url.pathname)?.[1] ?? null;
  return { url: url.origin.toLowerCase(), cloudId };
}
