import { AppConfig } from '@bot/config';
import { DirectApiRoot, InstallationCall, InstallationCaller, jsonBody } from '@bot/platform-clients';
import { Injectable } from '@nestjs/common';

export interface GitHubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: string;
  html_url: string;
}

export interface GitHubComment {
  id: number;
  body: string;
  html_url?: string;
}

const HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'bot-installations' };

/** GitHub REST calls as one installation (the guide's GitHubClient). */
export class GitHubInstallationClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly root: DirectApiRoot,
    readonly installationId: string,
  ) {}

  /** Every issue of a repository, following `Link: rel="next"` pages. */
  async listIssues(owner: string, repo: string, options: { state?: 'open' | 'closed' | 'all'; perPage?: number } = {}): Promise<GitHubIssue[]> {
    const issues: GitHubIssue[] = [];
    let next: string | undefined = `/repos/${enc(owner)}/${enc(repo)}/issues?state=${options.state ?? 'open'}&per_page=${options.perPage ?? 100}`;
    while (next) {
      const response = await this.send({ method: 'GET', path: next, headers: HEADERS });
      issues.push(...jsonBody<GitHubIssue[]>('github', 'list issues', response));
      next = nextLink(response.headers.get('link'));
    }
    return issues;
  }

  /** Opens an issue. */
  async createIssue(owner: string, repo: string, issue: { title: string; body?: string; labels?: string[] }): Promise<GitHubIssue> {
    const response = await this.send({ method: 'POST', path: `/repos/${enc(owner)}/${enc(repo)}/issues`, headers: HEADERS, json: issue });
    return jsonBody<GitHubIssue>('github', 'create issue', response);
  }

  /** Comments on an issue or pull request. */
  async createIssueComment(owner: string, repo: string, issueNumber: number, body: string): Promise<GitHubComment> {
    const response = await this.send({ method: 'POST', path: `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}/comments`, headers: HEADERS, json: { body } });
    return jsonBody<GitHubComment>('github', 'create comment', response);
  }

  private send(call: InstallationCall) {
    return this.api.send(this.installationId, 'github', this.root, call);
  }
}

/** Hands out GitHub clients bound to an installation (direct, or through github-api: see InstallationCaller). */
@Injectable()
export class GitHubClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly config: AppConfig,
  ) {}

  /** A client that acts as `installationId`. */
  forInstallation(installationId: string): GitHubInstallationClient {
    return new GitHubInstallationClient(this.api, () => this.config.upstream.githubApiBaseUrl, installationId);
  }
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

function nextLink(link: string | null): string | undefined {
  return link?.split(',').map((part) => /<([^>]+)>;\s*rel="next"/.exec(part)?.[1]).find(Boolean);
}
