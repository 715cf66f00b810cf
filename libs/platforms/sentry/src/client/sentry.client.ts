import { AppConfig } from '@bot/config';
import { InstallationApiClient, jsonBody } from '@bot/platform-clients';
import { InstallationToken } from '@bot/tokens';
import { Injectable } from '@nestjs/common';

export interface SentryIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: string;
  status: 'unresolved' | 'resolved' | 'ignored';
  permalink: string;
  project: { id: string; slug: string; name: string };
  count: string;
  firstSeen: string;
  lastSeen: string;
}

export interface SentryEvent {
  id: string;
  eventID: string;
  groupID: string;
  title: string;
  message: string;
  dateCreated: string;
}

export interface SentryProject {
  id: string;
  slug: string;
  name: string;
}

/** Sentry web API calls as one installation (its organization is the installation's `external_org_id`). */
export class SentryInstallationClient {
  constructor(
    private readonly api: InstallationApiClient,
    private readonly baseUrl: string,
    readonly installationId: string,
  ) {}

  /** The organization's projects, every page. */
  listProjects(): Promise<SentryProject[]> {
    return this.all<SentryProject>('list projects', (org) => `/api/0/organizations/${org}/projects/`);
  }

  /** The organization's issues matching a search (default `is:unresolved`), every page, following `Link` cursors. */
  listIssues(options: { query?: string; perPage?: number } = {}): Promise<SentryIssue[]> {
    const query = new URLSearchParams({ query: options.query ?? 'is:unresolved', per_page: String(options.perPage ?? 100) });
    return this.all<SentryIssue>('list issues', (org) => `/api/0/organizations/${org}/issues/?${query}`);
  }

  /** One issue. */
  async getIssue(issueId: string): Promise<SentryIssue> {
    const response = await this.send('GET', (org) => `/api/0/organizations/${org}/issues/${enc(issueId)}/`);
    return jsonBody<SentryIssue>('sentry', 'get issue', response);
  }

  /** An issue's events, newest first, every page. */
  listIssueEvents(issueId: string): Promise<SentryEvent[]> {
    return this.all<SentryEvent>('list issue events', (org) => `/api/0/organizations/${org}/issues/${enc(issueId)}/events/`);
  }

  /** Resolves, re-opens or ignores an issue. */
  async updateIssueStatus(issueId: string, status: 'resolved' | 'unresolved' | 'ignored'): Promise<{ status: string }> {
    const response = await this.send('PUT', (org) => `/api/0/organizations/${org}/issues/${enc(issueId)}/`, { status });
    return jsonBody<{ status: string }>('sentry', 'update issue', response);
  }

  /** Every page of a list: Sentry's `Link` has `rel="next"` with `results="true"` while more pages exist. */
  private async all<T>(what: string, path: (org: string) => string): Promise<T[]> {
    const items: T[] = [];
    let next: ((org: string) => string) | undefined = path;
    for (let page = 0; next && page < 1000; page++) {
      const response = await this.send('GET', next);
      items.push(...jsonBody<T[]>('sentry', what, response));
      const url = nextPage(response.headers.get('link'));
      next = url ? () => url : undefined;
    }
    return items;
  }

  private send(method: 'GET' | 'PUT', path: (org: string) => string, json?: unknown) {
    const url = (token: InstallationToken) => {
      const built = path(enc(token.externalOrgId));
      return built.startsWith('http') ? built : `${this.baseUrl}${built}`;
    };
    return this.api.send(this.installationId, 'sentry', { method, url, json });
  }
}

/** Hands out Sentry clients bound to an installation. */
@Injectable()
export class SentryClient {
  constructor(
    private readonly api: InstallationApiClient,
    private readonly config: AppConfig,
  ) {}

  /** A client that acts as `installationId` in its organization. */
  forInstallation(installationId: string): SentryInstallationClient {
    return new SentryInstallationClient(this.api, this.config.upstream.sentryBaseUrl, installationId);
  }
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

/** The `rel="next"` URL of a Sentry `Link` header when it says more results exist. */
export function nextPage(link: string | null): string | undefined {
  for (const part of link?.split(/,(?=\s*<)/) ?? []) {
    const match = /<([^>]+)>(.*)/.exec(part.trim());
    if (match && /rel="next"/.test(match[2]) && /results="true"/.test(match[2])) return match[1];
  }
  return undefined;
}
