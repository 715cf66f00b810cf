import { AppConfig } from '@bot/config';
import { DirectApiRoot, InstallationCaller, jsonBody } from '@bot/platform-clients';
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

/** Sentry web API calls as one installation, in its organization (`org`, the installation's `external_org_id`). */
export class SentryInstallationClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly root: DirectApiRoot,
    readonly installationId: string,
    readonly org: string,
  ) {}

  /** The organization's projects, every page. */
  listProjects(): Promise<SentryProject[]> {
    return this.all<SentryProject>('list projects', `/api/0/organizations/${enc(this.org)}/projects/`);
  }

  /** The organization's issues matching a search (default `is:unresolved`), every page, following `Link` cursors. */
  listIssues(options: { query?: string; perPage?: number } = {}): Promise<SentryIssue[]> {
    const query = new URLSearchParams({ query: options.query ?? 'is:unresolved', per_page: String(options.perPage ?? 100) });
    return this.all<SentryIssue>('list issues', `/api/0/organizations/${enc(this.org)}/issues/?${query}`);
  }

  /** One issue. */
  async getIssue(issueId: string): Promise<SentryIssue> {
    return jsonBody<SentryIssue>('sentry', 'get issue', await this.send('GET', `/api/0/organizations/${enc(this.org)}/issues/${enc(issueId)}/`));
  }

  /** An issue's events, newest first, every page. */
  listIssueEvents(issueId: string): Promise<SentryEvent[]> {
    return this.all<SentryEvent>('list issue events', `/api/0/organizations/${enc(this.org)}/issues/${enc(issueId)}/events/`);
  }

  /** Resolves, re-opens or ignores an issue. */
  async updateIssueStatus(issueId: string, status: 'resolved' | 'unresolved' | 'ignored'): Promise<{ status: string }> {
    return jsonBody<{ status: string }>('sentry', 'update issue', await this.send('PUT', `/api/0/organizations/${enc(this.org)}/issues/${enc(issueId)}/`, { status }));
  }

  /** Every page of a list: Sentry's `Link` has `rel="next"` with `results="true"` while more pages exist. */
  private async all<T>(what: string, path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < 1000; page++) {
      const response = await this.send('GET', next);
      items.push(...jsonBody<T[]>('sentry', what, response));
      next = nextPage(response.headers.get('link'));
    }
    return items;
  }

  private send(method: 'GET' | 'PUT', path: string, json?: unknown) {
    return this.api.send(this.installationId, 'sentry', this.root, { method, path, json });
  }
}

/** Hands out Sentry clients bound to an installation (direct, or through sentry-api: see InstallationCaller). */
@Injectable()
export class SentryClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly config: AppConfig,
  ) {}

  /** A client that acts as `installationId` in the organization `org` (the installation's `external_org_id`). */
  forInstallation(installationId: string, org: string): SentryInstallationClient {
    return new SentryInstallationClient(this.api, () => this.config.upstream.sentryBaseUrl, installationId, org);
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
