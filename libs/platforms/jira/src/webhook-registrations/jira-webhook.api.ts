import { AppConfig } from '@bot/config';
import { PlatformHttpClient, PlatformResponse, UpstreamError } from '@bot/providers';
import { Injectable } from '@nestjs/common';

/** One webhook of a registration request: which events, for which issues. */
export interface JiraWebhookDefinition {
  events: string[];
  jqlFilter: string;
}

/** What `POST /rest/api/3/webhook` answered: the ids it created and the errors of those it refused. */
export interface JiraRegistrationResult {
  ids: number[];
  errors: string[];
}

/** A dynamic webhook as `GET /rest/api/3/webhook` lists it. */
export interface JiraListedWebhook {
  id: number;
  expiresAt: Date | null;
}

/** A delivery Jira gave up on (`GET /rest/api/3/webhook/failed`); `id` is its X-Atlassian-Webhook-Identifier. */
export interface JiraFailedWebhook {
  id: string;
  body?: string;
  url: string;
  failureTime: number;
}

const PAGE_SIZE = 100;
/** Upper bound of pages read per call, so a misbehaving cursor cannot loop forever. */
const MAX_PAGES = 50;

/**
 * Jira Cloud's dynamic-webhook REST API for OAuth 2.0 (3LO) apps, through the Atlassian API gateway
 * (`{ATLASSIAN_API_BASE_URL}/ex/jira/{cloudId}/rest/api/3/webhook…`) with a site's access token.
 */
@Injectable()
export class JiraWebhookApi {
  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
  ) {}

  /** Registers webhooks delivering to `url`. Jira answers 200 even when it refuses some; their errors are returned. */
  async register(cloudId: string, accessToken: string, url: string, webhooks: JiraWebhookDefinition[]): Promise<JiraRegistrationResult> {
    const body = await this.json<{ webhookRegistrationResult?: { createdWebhookId?: unknown; errors?: unknown }[] }>(
      'webhook registration',
      await this.call('POST', cloudId, accessToken, '/webhook', { url, webhooks }),
    );
    if (!Array.isArray(body.webhookRegistrationResult)) throw malformed('webhook registration', 'has no webhookRegistrationResult');
    const ids: number[] = [];
    const errors: string[] = [];
    for (const result of body.webhookRegistrationResult) {
      if (typeof result?.createdWebhookId === 'number') ids.push(result.createdWebhookId);
      if (Array.isArray(result?.errors)) errors.push(...result.errors.filter((error): error is string => typeof error === 'string').map((error) => error.slice(0, 300)));
    }
    return { ids, errors };
  }

  /** Every dynamic webhook the app has on the site for this token's user, all pages. */
  async list(cloudId: string, accessToken: string): Promise<JiraListedWebhook[]> {
    const listed: JiraListedWebhook[] = [];
    for (let page = 0, startAt = 0; page < MAX_PAGES; page++) {
      const body = await this.json<{ values?: { id?: unknown; expirationDate?: unknown }[]; isLast?: boolean }>(
        'webhook list',
        await this.call('GET', cloudId, accessToken, `/webhook?startAt=${startAt}&maxResults=${PAGE_SIZE}`),
      );
      if (!Array.isArray(body.values)) throw malformed('webhook list', 'has no values');
      for (const value of body.values) {
        if (typeof value?.id === 'number') listed.push({ id: value.id, expiresAt: jiraDate(value.expirationDate) });
      }
      if (body.isLast !== false || body.values.length === 0) break;
      startAt += body.values.length;
    }
    return listed;
  }

  /** Extends the webhooks' life (30 days from now at Jira); answers the new expiry. */
  async refresh(cloudId: string, accessToken: string, ids: number[]): Promise<Date> {
    const body = await this.json<{ expirationDate?: unknown }>('webhook refresh', await this.call('PUT', cloudId, accessToken, '/webhook/refresh', { webhookIds: ids }));
    const expiresAt = jiraDate(body.expirationDate);
    if (!expiresAt) throw malformed('webhook refresh', 'has no expirationDate');
    return expiresAt;
  }

  /** Removes webhooks by id (Jira ignores ids it does not know). */
  async delete(cloudId: string, accessToken: string, ids: number[]): Promise<void> {
    const response = await this.call('DELETE', cloudId, accessToken, '/webhook', { webhookIds: ids });
    if (response.status < 200 || response.status >= 300) throw this.httpError('webhook deletion', response);
  }

  /**
   * Deliveries Jira gave up on, oldest first, failed after `after` (ms since the epoch). Paged by failure time:
   * the next page starts after the last item's `failureTime` (Jira's `next` link points at the site's own host,
   * which our gateway token does not reach, so only its cursor is used).
   */
  async failed(cloudId: string, accessToken: string, after: number | null): Promise<JiraFailedWebhook[]> {
    const failures: JiraFailedWebhook[] = [];
    let cursor = after;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = `maxResults=${PAGE_SIZE}${cursor !== null ? `&after=${cursor}` : ''}`;
      const body = await this.json<{ values?: unknown[]; next?: unknown }>('failed webhook list', await this.call('GET', cloudId, accessToken, `/webhook/failed?${query}`));
      if (!Array.isArray(body.values)) throw malformed('failed webhook list', 'has no values');
      const values = body.values.filter(isFailedWebhook);
      failures.push(...values);
      if (typeof body.next !== 'string' || values.length === 0) break;
      const next = Math.max(...values.map((value) => value.failureTime));
      if (cursor !== null && next <= cursor) break;
      cursor = next;
    }
    return failures;
  }

  private call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', cloudId: string, accessToken: string, path: string, json?: unknown): Promise<PlatformResponse> {
    return this.http.send({
      platform: 'Jira',
      purpose: `${method} /rest/api/3${path.split('?')[0]}`,
      method,
      url: `${this.config.upstream.atlassianApiBaseUrl}/ex/jira/${encodeURIComponent(cloudId)}/rest/api/3${path}`,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      json,
      timeoutMs: this.config.upstreamTimeoutMs,
    });
  }

  private async json<T>(purpose: string, response: PlatformResponse): Promise<T> {
    if (response.status < 200 || response.status >= 300) throw this.httpError(purpose, response);
    try {
      const body: unknown = JSON.parse(response.text);
      if (body && typeof body === 'object') return body as T;
    } catch {
      // answered below
    }
    throw malformed(purpose, 'is not a JSON object');
  }

  private httpError(purpose: string, response: PlatformResponse): UpstreamError {
    let reason = '';
    try {
      const body = JSON.parse(response.text) as { errorMessages?: unknown };
      const first = Array.isArray(body.errorMessages) ? body.errorMessages.find((message) => typeof message === 'string') : undefined;
      if (typeof first === 'string') reason = `: ${first.slice(0, 200)}`;
    } catch {
      // no Jira error body
    }
    return new UpstreamError('Jira', 'http', `Jira ${purpose} failed with HTTP ${response.status}${reason}`, response.status);
  }
}

function malformed(purpose: string, what: string): UpstreamError {
  return new UpstreamError('Jira', 'malformed', `Jira ${purpose} answer ${what}`);
}

function isFailedWebhook(value: unknown): value is JiraFailedWebhook {
  if (!value || typeof value !== 'object') return false;
  const item = value as Record<string, unknown>;
  return typeof item['id'] === 'string' && typeof item['failureTime'] === 'number' && typeof item['url'] === 'string' && (item['body'] === undefined || typeof item['body'] === 'string');
}

/** Jira's `2019-06-01T12:42:30.000+0000` (or epoch milliseconds) as a Date; null when absent or unreadable. */
export function jiraDate(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  if (typeof value !== 'string') return null;
  const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date;
}
