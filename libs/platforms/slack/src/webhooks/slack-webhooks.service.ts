import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import {
  AcceptedDelivery,
  assertVerified,
  bodyDigestId,
  Delivery,
  header,
  Headers,
  idString,
  isObject,
  parseJsonObject,
  payloadText,
  shortString,
  WebhookIntakeService,
  WebhookRejectedError,
} from '@bot/webhooks';
import { Injectable } from '@nestjs/common';
import { SlackLifecycleService } from './slack-lifecycle.service';
import { verifySlackSignature } from './slack-signature';

/** What the controller answers Slack: the challenge, a queued event (JSON), or an empty 200 (interactivity, commands). */
export type SlackAnswer = { kind: 'challenge'; challenge: string } | { kind: 'event'; accepted: AcceptedDelivery } | { kind: 'ack'; accepted: AcceptedDelivery };

/**
 * Slack Events API, interactivity and slash commands: verified, answered at once (the work is queued, never
 * done inline, so Slack's three seconds are never at risk), routed by enterprise / team.
 */
@Injectable()
export class SlackWebhooksService {
  constructor(
    private readonly config: AppConfig,
    private readonly intake: WebhookIntakeService,
    private readonly lifecycle: SlackLifecycleService,
    private readonly clock: Clock,
  ) {}

  async receive(rawBody: Buffer, headers: Headers): Promise<SlackAnswer> {
    this.verify(rawBody, headers);
    const raw = rawBody.toString('utf8');
    const contentType = (header(headers, 'content-type') ?? '').toLowerCase();
    if (contentType.startsWith('application/json')) return this.eventsApi(rawBody, raw);
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      return { kind: 'ack', accepted: await this.intake.accept(this.formDelivery(rawBody, raw)) };
    }
    throw WebhookRejectedError.malformed('a Slack request body is JSON (Events API) or a form (interactivity, slash commands)');
  }

  /** v0 signature under SLACK_SIGNING_SECRET, timestamp within five minutes; a 401 unless it holds. */
  private verify(rawBody: Buffer, headers: Headers): void {
    const secret = this.config.slack?.signingSecret;
    if (!secret) throw WebhookRejectedError.unverified('Slack requests cannot be verified: SLACK_SIGNING_SECRET is not configured', 'not_configured');
    assertVerified(
      verifySlackSignature(
        secret,
        rawBody,
        { timestamp: header(headers, 'x-slack-request-timestamp'), signature: header(headers, 'x-slack-signature') },
        Math.floor(this.clock.now().getTime() / 1000),
      ),
    );
  }

  private async eventsApi(rawBody: Buffer, raw: string): Promise<SlackAnswer> {
    const envelope = parseJsonObject(raw, 'the Slack event');
    if (envelope['type'] === 'url_verification') {
      if (typeof envelope['challenge'] !== 'string') throw WebhookRejectedError.malformed('url_verification has no challenge');
      return { kind: 'challenge', challenge: envelope['challenge'] };
    }
    const receivedAt = this.clock.now();
    if (envelope['type'] === 'event_callback') {
      const event = envelope['event'];
      const eventId = shortString(envelope['event_id'], 255);
      if (!isObject(event) || typeof event['type'] !== 'string' || !eventId) {
        throw WebhookRejectedError.malformed('event_callback needs an event with a type and an event_id');
      }
      const orgIds = slackOrgIds(envelope);
      // Slack retries (X-Slack-Retry-Num) carry the same event_id: the dedupe key.
      const accepted = await this.intake.accept({
        task: { platform: 'slack', eventType: event['type'].slice(0, 128), action: shortString(event['subtype']), deliveryId: eventId, payloadJson: payloadText(rawBody, raw), receivedAt, externalOrgId: orgIds[0] ?? null },
        route: orgIds.length ? { by: 'external_org_ids', values: orgIds } : { by: 'none' },
        lifecycle: this.lifecycle.stepFor(event, eventId),
      });
      return { kind: 'event', accepted };
    }
    // Other envelopes (e.g. app_rate_limited) carry no event id; the body itself identifies them.
    const type = shortString(envelope['type']) ?? 'unknown';
    const orgIds = slackOrgIds(envelope);
    const accepted = await this.intake.accept({
      task: { platform: 'slack', eventType: type, action: null, deliveryId: bodyDigestId(rawBody), payloadJson: payloadText(rawBody, raw), receivedAt, externalOrgId: orgIds[0] ?? null },
      route: orgIds.length ? { by: 'external_org_ids', values: orgIds } : { by: 'none' },
    });
    return { kind: 'event', accepted };
  }

  private formDelivery(rawBody: Buffer, raw: string): Delivery {
    const form = new URLSearchParams(raw);
    const receivedAt = this.clock.now();
    const interactive = form.get('payload');
    if (interactive !== null) {
      const payload = parseJsonObject(interactive, 'the interactive payload');
      const orgIds = slackOrgIds(payload);
      const actions = Array.isArray(payload['actions']) ? payload['actions'] : [];
      const view = isObject(payload['view']) ? payload['view'] : {};
      const action = shortString(isObject(actions[0]) ? actions[0]['action_id'] : undefined) ?? shortString(payload['callback_id']) ?? shortString(view['callback_id']);
      return {
        task: {
          platform: 'slack',
          eventType: shortString(payload['type']) ?? 'interactive',
          action,
          // Slack does not retry interactions; a trigger id names one interaction, the body digest covers the rest.
          deliveryId: triggerDeliveryId(payload['trigger_id']) ?? bodyDigestId(rawBody),
          payloadJson: JSON.stringify(payload),
          receivedAt,
          externalOrgId: orgIds[0] ?? null,
        },
        route: orgIds.length ? { by: 'external_org_ids', values: orgIds } : { by: 'none' },
      };
    }
    if (form.get('command') !== null) {
      const fields = Object.fromEntries(form.entries());
      const orgIds = slackOrgIds({ team_id: fields['team_id'], enterprise_id: fields['enterprise_id'], is_enterprise_install: fields['is_enterprise_install'] === 'true' });
      return {
        task: {
          platform: 'slack',
          eventType: 'slash_command',
          action: shortString(fields['command']),
          deliveryId: triggerDeliveryId(fields['trigger_id']) ?? bodyDigestId(rawBody),
          payloadJson: JSON.stringify(fields),
          receivedAt,
          externalOrgId: orgIds[0] ?? null,
        },
        route: orgIds.length ? { by: 'external_org_ids', values: orgIds } : { by: 'none' },
      };
    }
    throw WebhookRejectedError.malformed('the form is neither an interactive payload nor a slash command');
  }
}

function triggerDeliveryId(value: unknown): string | null {
  const trigger = shortString(value, 240);
  return trigger ? `trigger:${trigger}` : null;
}

/**
 * Candidate `external_org_id`s of a Slack payload, best first: an org-wide (Enterprise Grid) install is keyed by
 * its enterprise, a workspace install by its team; `authorizations[]` (Events API) says which one applies.
 */
export function slackOrgIds(payload: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const add = (value: unknown) => {
    const id = idString(value);
    if (id && !ids.includes(id)) ids.push(id);
  };
  const authorizations = Array.isArray(payload['authorizations']) ? payload['authorizations'] : [];
  for (const authorization of authorizations) {
    if (!isObject(authorization)) continue;
    if (authorization['is_enterprise_install'] === true) add(authorization['enterprise_id']);
    add(authorization['team_id']);
  }
  const team = isObject(payload['team']) ? payload['team']['id'] : payload['team_id'];
  const enterprise = isObject(payload['enterprise']) ? payload['enterprise']['id'] : payload['enterprise_id'];
  if (payload['is_enterprise_install'] === true) add(enterprise);
  add(team);
  add(enterprise);
  return ids;
}
