import { AppConfig } from '@bot/config';
import { DirectApiRoot, InstallationCaller, jsonBody } from '@bot/platform-clients';
import { Injectable } from '@nestjs/common';

export interface JiraIssue {
  id: string;
  key: string;
  self: string;
  fields?: Record<string, unknown>;
}

/** Atlassian Document Format for a one-paragraph plain text. */
export function adfText(text: string): Record<string, unknown> {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

/** Jira Cloud REST calls as one installation (one site). */
export class JiraInstallationClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly root: DirectApiRoot,
    readonly installationId: string,
  ) {}

  /** One issue by key or id. */
  async getIssue(issueIdOrKey: string): Promise<JiraIssue> {
    return jsonBody<JiraIssue>('jira', 'get issue', await this.send('GET', `/rest/api/3/issue/${encodeURIComponent(issueIdOrKey)}`));
  }

  /** Creates an issue in a project. */
  async createIssue(projectKey: string, summary: string, options: { issueType?: string; description?: string } = {}): Promise<JiraIssue> {
    const fields = { project: { key: projectKey }, summary, issuetype: { name: options.issueType ?? 'Task' }, ...(options.description ? { description: adfText(options.description) } : {}) };
    return jsonBody<JiraIssue>('jira', 'create issue', await this.send('POST', '/rest/api/3/issue', { fields }));
  }

  /** Adds a plain-text comment. */
  async addComment(issueIdOrKey: string, text: string): Promise<{ id: string }> {
    return jsonBody<{ id: string }>('jira', 'add comment', await this.send('POST', `/rest/api/3/issue/${encodeURIComponent(issueIdOrKey)}/comment`, { body: adfText(text) }));
  }

  /** Issues matching a JQL query (first page). */
  async search(jql: string, maxResults = 50): Promise<JiraIssue[]> {
    const answer = jsonBody<{ issues: JiraIssue[] }>('jira', 'search', await this.send('POST', '/rest/api/3/search', { jql, maxResults, startAt: 0 }));
    return answer.issues;
  }

  private send(method: 'GET' | 'POST', path: string, json?: unknown) {
    return this.api.send(this.installationId, 'jira', this.root, { method, path, json });
  }
}

/** Hands out Jira clients bound to an installation (direct, or through jira-api: see InstallationCaller). */
@Injectable()
export class JiraClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly config: AppConfig,
  ) {}

  /** A client that acts as `installationId` on its site. */
  forInstallation(installationId: string): JiraInstallationClient {
    // Direct calls go to the site's cloud id under the Atlassian API gateway.
    return new JiraInstallationClient(this.api, (token) => `${this.config.upstream.atlassianApiBaseUrl}/ex/jira/${encodeURIComponent(token.externalOrgId)}`, installationId);
  }
}
