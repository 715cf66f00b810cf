import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import { verifyJiraWebhookJwt } from '@bot/platform-jira';
import { verifySlackSignature } from '@bot/platform-slack';
import { verifyHubSignature } from '../signatures/hub-signature';
import { Injectable } from '@nestjs/common';
import { WebhookRejectedError } from './webhook.errors';

export type HeaderValue = string | string[] | undefined;
export type Headers = Record<string, HeaderValue>;

/** The first value of a header (Node lower-cases names and gives repeated headers as arrays). */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks each platform's signature on the raw bytes, timing-safe, and throws a 401 when it does not hold
 * (or cannot be checked because the secret is not configured). Returns only on success.
 */
@Injectable()
export class WebhookSignatureVerifier {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** GitHub: `X-Hub-Signature-256` under GITHUB_WEBHOOK_SECRET. */
  github(rawBody: Buffer, headers: Headers): void {
    const secret = this.config.github?.webhookSecret;
    if (!secret) throw WebhookRejectedError.unverified('GitHub deliveries cannot be verified: GITHUB_WEBHOOK_SECRET is not configured', 'not_configured');
    this.hub(secret, rawBody, header(headers, 'x-hub-signature-256'), 'X-Hub-Signature-256');
  }

  /** Slack: v0 signature under SLACK_SIGNING_SECRET, timestamp within five minutes. */
  slack(rawBody: Buffer, headers: Headers): void {
    const secret = this.config.slack?.signingSecret;
    if (!secret) throw WebhookRejectedError.unverified('Slack requests cannot be verified: SLACK_SIGNING_SECRET is not configured', 'not_configured');
    const check = verifySlackSignature(
      secret,
      rawBody,
      { timestamp: header(headers, 'x-slack-request-timestamp'), signature: header(headers, 'x-slack-signature') },
      Math.floor(this.clock.now().getTime() / 1000),
    );
    if (!check.valid) throw WebhookRejectedError.unverified(check.reason);
  }

  /** Jira dynamic webhooks: the Authorization JWT under JIRA_CLIENT_SECRET; returns its claims. */
  jiraApp(headers: Headers): Record<string, unknown> {
    const secret = this.config.jira?.clientSecret;
    if (!secret) throw WebhookRejectedError.unverified('Jira deliveries cannot be verified: JIRA_CLIENT_SECRET is not configured', 'not_configured');
    const check = verifyJiraWebhookJwt(header(headers, 'authorization'), secret, Math.floor(this.clock.now().getTime() / 1000));
    if (!check.valid) throw WebhookRejectedError.unverified(check.reason);
    return check.claims;
  }

  /** Jira admin webhooks: `X-Hub-Signature` under the installation's own webhook secret. */
  jiraAdmin(secret: string, rawBody: Buffer, headers: Headers): void {
    this.hub(secret, rawBody, header(headers, 'x-hub-signature'), 'X-Hub-Signature');
  }

  private hub(secret: string, rawBody: Buffer, value: string | undefined, name: string): void {
    const check = verifyHubSignature(secret, rawBody, value, name);
    if (!check.valid) throw WebhookRejectedError.unverified(check.reason);
  }
}
