import { Express, Request, Response } from 'express';
import { createPublicKey, KeyObject, randomBytes, verify } from 'node:crypto';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from '@bot/platform-fakes';

export interface FakeGitHubOptions {
  appId: string;
  appSlug: string;
  /** Public half of the app's private key; app JWTs are verified against it. */
  publicKey: string | KeyObject;
  /** The GitHub App's setup URL (where GitHub sends the browser after an install); settable once known. */
  setupUrl?: string;
}

/** A GitHub user, organisation or app bot. */
export interface FakeGitHubAccount {
  login: string;
  id: number;
  type: 'Organization' | 'User' | 'Bot';
}

/** An account that can install the app and own repositories. */
export type FakeGitHubOwner = FakeGitHubAccount & { type: 'Organization' | 'User' };

export interface FakeGitHubInstallation {
  id: number;
  account: FakeGitHubOwner;
  permissions: Record<string, string>;
  repository_selection: 'all' | 'selected';
  suspended: boolean;
}

export interface FakeGitHubComment {
  id: number;
  body: string;
  user: FakeGitHubAccount;
  createdAt: string;
  updatedAt: string;
}

export interface FakeGitHubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  user: FakeGitHubAccount;
  comments: FakeGitHubComment[];
  createdAt: string;
  updatedAt: string;
}

export interface FakeGitHubRepository {
  id: number;
  name: string;
  owner: FakeGitHubOwner;
  issues: FakeGitHubIssue[];
  createdAt: string;
}

const DOCS = 'https://docs.github.com/rest';
const NOT_FOUND = { message: 'Not Found', documentation_url: DOCS, status: '404' };
const TOKEN_LIFETIME_MS = 3600_000;
const RATE_LIMIT_WINDOW_MS = 3600_000;
/** GitHub's limit for unauthenticated calls, which is what a call with a bad token is counted against. */
const ANONYMOUS_RATE_LIMIT = 60;
/** Where seeded issues and repositories say they were made, so listings are stable from run to run. */
const SEEDED_AT = '2026-01-01T00:00:00Z';
/** The author of seeded issues. */
const SEED_AUTHOR: FakeGitHubAccount = { login: 'sandbox-user', id: 9_000_001, type: 'User' };

/**
 * GitHub (web and REST API on one server): the install page, app-JWT-authenticated installation endpoints,
 * installation access tokens, and the installation-token REST API for repositories, issues and comments with
 * GitHub's pagination, rate-limit headers and 401/404 answers. Install page flags: `fake_account=<login>`,
 * `fake_decision=deny`.
 */
export class FakeGitHub extends FakePlatform {
  readonly installations = new Map<number, FakeGitHubInstallation>();
  /** Live installation token → installation id, for the API endpoints that check who is calling. */
  readonly tokens = new Map<string, number>();
  /** Repositories by lower-cased `owner/name` (GitHub matches names case-insensitively). */
  readonly repositories = new Map<string, FakeGitHubRepository>();
  /** Requests per hour per installation before GitHub's 403 rate-limit answer; lower it to reach that answer. */
  rateLimit = 5000;
  private readonly tokenExpiry = new Map<string, number>();
  private readonly rateWindows = new Map<string, { resetAt: number; used: number }>();
  private readonly publicKey: KeyObject;
  private nextInstallationId = 40_000_001;
  private nextAccountId = 9_100_001;
  private nextRepositoryId = 700_000_001;
  private nextIssueId = 2_000_000_001;
  private nextCommentId = 3_000_000_001;

  protected readonly persistentFields = ['installations', 'tokens', 'repositories', 'tokenExpiry', 'nextInstallationId', 'nextAccountId', 'nextRepositoryId', 'nextIssueId', 'nextCommentId'];

  constructor(readonly options: FakeGitHubOptions) {
    super();
    this.publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  }

  /** The installation of an account, creating it as an install would, with the account's repository `demo`. */
  install(login: string): FakeGitHubInstallation {
    const existing = [...this.installations.values()].find((i) => sameLogin(i.account.login, login));
    if (existing) return existing;
    const installation: FakeGitHubInstallation = {
      id: this.nextInstallationId++,
      account: this.account(login),
      permissions: { contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', members: 'read' },
      repository_selection: 'all',
      suspended: false,
    };
    this.installations.set(installation.id, installation);
    this.repository(login, 'demo');
    return installation;
  }

  /** An installation access token, as `POST /app/installations/:id/access_tokens` issues it. */
  mintToken(installationId: number): { token: string; expiresAt: string } {
    if (!this.installations.has(installationId)) throw new Error(`no fake GitHub installation ${installationId}`);
    const token = fakeSecret('ghs_', 27);
    const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
    this.tokens.set(token, installationId);
    this.tokenExpiry.set(token, expiresAt);
    return { token, expiresAt: githubTime(expiresAt) };
  }

  /** From now on the token gets 401 Bad credentials, as it would once expired or revoked. */
  expireToken(token: string): void {
    this.tokens.delete(token);
    this.tokenExpiry.delete(token);
  }

  /** Adds issues titled `Issue <n>` (numbered on from the repository's last issue), creating the repository if needed. */
  seedIssues(owner: string, repo: string, count: number): FakeGitHubIssue[] {
    const repository = this.repository(owner, repo);
    return Array.from({ length: count }, () => {
      const number = repository.issues.length + 1;
      return this.addIssue(repository, { title: `Issue ${number}`, body: `Seeded issue ${number}.`, labels: [] }, SEED_AUTHOR, SEEDED_AT);
    });
  }

  /** The repository `owner/name`, created (empty) if it does not exist yet. */
  repository(owner: string, name: string): FakeGitHubRepository {
    const key = `${owner}/${name}`.toLowerCase();
    let repository = this.repositories.get(key);
    if (!repository) {
      repository = { id: this.nextRepositoryId++, name, owner: this.account(owner), issues: [], createdAt: SEEDED_AT };
      this.repositories.set(key, repository);
    }
    return repository;
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/apps/:slug/installations/new', (req, res) => {
      if (req.params['slug'] !== this.options.appSlug) return res.status(404).send('Not Found');
      const state = req.query['state'] as string | undefined;
      const setupUrl = this.options.setupUrl;
      if (!setupUrl) return res.status(500).send('the fake GitHub App has no setup URL');
      if (req.query['fake_decision'] === 'deny') {
        return res.redirect(302, withQuery(setupUrl, { error: 'access_denied', error_description: 'The user cancelled the installation', state }));
      }
      const installation = this.install(String(req.query['fake_account'] ?? 'sandbox-org'));
      res.redirect(302, withQuery(setupUrl, { installation_id: String(installation.id), setup_action: 'install', state }));
    });

    this.handle(app, 'get', '/app/installations/:id', (req, res) => {
      const installation = this.authorisedInstallation(req, res);
      if (installation) res.json(this.describe(installation));
    });

    this.handle(app, 'post', '/app/installations/:id/access_tokens', (req, res) => {
      const installation = this.authorisedInstallation(req, res);
      if (!installation) return;
      if (installation.suspended) return res.status(403).json({ message: 'This installation has been suspended', documentation_url: DOCS });
      const { token, expiresAt } = this.mintToken(installation.id);
      res.status(201).json({ token, expires_at: expiresAt, permissions: installation.permissions, repository_selection: installation.repository_selection });
    });

    this.handle(app, 'delete', '/app/installations/:id', (req, res) => {
      const installation = this.authorisedInstallation(req, res);
      if (!installation) return;
      this.installations.delete(installation.id);
      for (const [token, id] of this.tokens) if (id === installation.id) this.expireToken(token);
      res.status(204).end();
    });

    this.apiRoutes(app);
  }

  protected override unknownRoute(_req: Request, res: Response): void {
    res.status(404).json(NOT_FOUND);
  }

  protected override unparsableBody(_req: Request, res: Response): void {
    res.status(400).json({ message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
  }

  /** The REST API an installation token reaches. */
  private apiRoutes(app: Express): void {
    this.api(app, 'get', '/installation/repositories', (req, res, installation) => {
      const repositories = [...this.repositories.values()]
        .filter((repository) => sameLogin(repository.owner.login, installation.account.login))
        .sort((a, b) => a.name.localeCompare(b.name));
      const page = this.paginate(req, res, repositories);
      res.json({ total_count: repositories.length, repository_selection: installation.repository_selection, repositories: page.map((r) => this.describeRepository(r)) });
    });

    this.api(app, 'get', '/repos/:owner/:repo', (req, res, installation) => {
      const repository = this.visibleRepository(req, res, installation);
      if (repository) res.json(this.describeRepository(repository));
    });

    this.api(app, 'get', '/repos/:owner/:repo/issues', (req, res, installation) => {
      const repository = this.visibleRepository(req, res, installation);
      if (!repository) return;
      const state = String(req.query['state'] ?? 'open');
      if (!['open', 'closed', 'all'].includes(state)) return validationFailed(res, { resource: 'Issue', code: 'invalid', field: 'state' });
      const direction = req.query['direction'] === 'asc' ? 1 : -1;
      const sortBy = req.query['sort'] === 'updated' ? 'updatedAt' : 'createdAt';
      // GitHub's default order is newest first; ties (seeded issues share a time) fall back to the number.
      const issues = repository.issues
        .filter((issue) => state === 'all' || issue.state === state)
        .sort((a, b) => direction * (a[sortBy].localeCompare(b[sortBy]) || a.number - b.number));
      res.json(this.paginate(req, res, issues).map((issue) => this.describeIssue(repository, issue)));
    });

    this.api(app, 'post', '/repos/:owner/:repo/issues', (req, res, installation) => {
      const repository = this.visibleRepository(req, res, installation);
      if (!repository) return;
      const body = (req.body ?? {}) as { title?: unknown; body?: unknown; labels?: unknown };
      if (typeof body.title !== 'string' && typeof body.title !== 'number') return validationFailed(res, { resource: 'Issue', code: 'missing_field', field: 'title' });
      const labels = Array.isArray(body.labels) ? body.labels.map((label) => String(typeof label === 'object' && label ? (label as { name?: unknown }).name : label)) : [];
      const issue = this.addIssue(repository, { title: String(body.title), body: typeof body.body === 'string' ? body.body : null, labels }, this.botAccount(), githubTime(Date.now()));
      res.status(201).location(this.issueUrl(repository, issue)).json(this.describeIssue(repository, issue));
    });

    this.api(app, 'get', '/repos/:owner/:repo/issues/:number', (req, res, installation) => {
      const found = this.visibleIssue(req, res, installation);
      if (found) res.json(this.describeIssue(found.repository, found.issue));
    });

    this.api(app, 'get', '/repos/:owner/:repo/issues/:number/comments', (req, res, installation) => {
      const found = this.visibleIssue(req, res, installation);
      if (!found) return;
      res.json(this.paginate(req, res, found.issue.comments).map((comment) => this.describeComment(found.repository, found.issue, comment)));
    });

    this.api(app, 'post', '/repos/:owner/:repo/issues/:number/comments', (req, res, installation) => {
      const found = this.visibleIssue(req, res, installation);
      if (!found) return;
      const text = (req.body as { body?: unknown } | undefined)?.body;
      if (typeof text !== 'string' || !text) return validationFailed(res, { resource: 'IssueComment', code: 'missing_field', field: 'body' });
      const now = githubTime(Date.now());
      const comment: FakeGitHubComment = { id: this.nextCommentId++, body: text, user: this.botAccount(), createdAt: now, updatedAt: now };
      found.issue.comments.push(comment);
      found.issue.updatedAt = now;
      const described = this.describeComment(found.repository, found.issue, comment);
      res.status(201).location(described.url).json(described);
    });
  }

  /**
   * Registers an installation-token API route: every answer carries GitHub's request id and rate-limit headers,
   * and the handler runs only for a live token of an unsuspended installation.
   */
  private api(app: Express, method: 'get' | 'post', path: string, handler: (req: Request, res: Response, installation: FakeGitHubInstallation) => unknown): void {
    this.handle(app, method, path, (req, res) => {
      res.set('x-github-request-id', requestId());
      res.set('x-github-media-type', 'github.v3; format=json');
      const token = bearerToken(req);
      const installationId = token ? this.liveInstallationId(token) : undefined;
      const installation = installationId === undefined ? undefined : this.installations.get(installationId);
      const window = this.countCall(installation ? `installation:${installation.id}` : `anonymous:${req.ip}`, installation ? this.rateLimit : ANONYMOUS_RATE_LIMIT, res);
      if (!installation) {
        const message = token ? 'Bad credentials' : 'Requires authentication';
        return res.status(401).json({ message, documentation_url: DOCS, status: '401' });
      }
      if (window.exceeded) {
        return res.status(403).json({
          message: `API rate limit exceeded for installation ID ${installation.id}.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: '403',
        });
      }
      if (installation.suspended) return res.status(403).json({ message: 'This installation has been suspended', documentation_url: DOCS, status: '403' });
      return handler(req, res, installation);
    });
  }

  private liveInstallationId(token: string): number | undefined {
    const expiresAt = this.tokenExpiry.get(token);
    if (expiresAt !== undefined && expiresAt <= Date.now()) this.expireToken(token);
    return this.tokens.get(token);
  }

  /** Counts one call against an hourly window and sets the `x-ratelimit-*` headers GitHub sends. */
  private countCall(bucket: string, limit: number, res: Response): { exceeded: boolean } {
    let window = this.rateWindows.get(bucket);
    if (!window || window.resetAt <= Date.now()) {
      window = { resetAt: Date.now() + RATE_LIMIT_WINDOW_MS, used: 0 };
      this.rateWindows.set(bucket, window);
    }
    const exceeded = window.used >= limit;
    if (!exceeded) window.used++;
    res.set({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(limit - window.used),
      'x-ratelimit-reset': String(Math.floor(window.resetAt / 1000)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-resource': 'core',
    });
    return { exceeded };
  }

  /**
   * One page of `items` per `per_page` (default 30, at most 100) and `page` (default 1), with GitHub's `Link`
   * header: prev, next, last, first as they apply, each the called path and query with `page` replaced.
   */
  private paginate<T>(req: Request, res: Response, items: T[]): T[] {
    const perPage = Math.min(100, positiveInteger(req.query['per_page']) ?? 30);
    const page = positiveInteger(req.query['page']) ?? 1;
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const pageUrl = (n: number) => {
      const url = new URL(req.originalUrl, this.url);
      url.searchParams.set('page', String(n));
      return `${this.url}${url.pathname}${url.search}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="prev"`);
    if (page < lastPage) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
    if (links.length > 0) res.set('link', links.join(', '));
    return items.slice((page - 1) * perPage, page * perPage);
  }

  /** The repository in the path if the installation's account owns it; otherwise GitHub's 404, which hides it. */
  private visibleRepository(req: Request, res: Response, installation: FakeGitHubInstallation): FakeGitHubRepository | undefined {
    const repository = this.repositories.get(`${req.params['owner']}/${req.params['repo']}`.toLowerCase());
    if (!repository || !sameLogin(repository.owner.login, installation.account.login)) {
      res.status(404).json(NOT_FOUND);
      return undefined;
    }
    return repository;
  }

  private visibleIssue(req: Request, res: Response, installation: FakeGitHubInstallation): { repository: FakeGitHubRepository; issue: FakeGitHubIssue } | undefined {
    const repository = this.visibleRepository(req, res, installation);
    if (!repository) return undefined;
    const issue = repository.issues.find((candidate) => String(candidate.number) === req.params['number']);
    if (!issue) {
      res.status(404).json(NOT_FOUND);
      return undefined;
    }
    return { repository, issue };
  }

  private addIssue(repository: FakeGitHubRepository, content: { title: string; body: string | null; labels: string[] }, user: FakeGitHubAccount, createdAt: string): FakeGitHubIssue {
    const issue: FakeGitHubIssue = { id: this.nextIssueId++, number: repository.issues.length + 1, state: 'open', user, comments: [], createdAt, updatedAt: createdAt, ...content };
    repository.issues.push(issue);
    return issue;
  }

  /** The account of that login as installations or repositories already know it, else a new organisation. */
  private account(login: string): FakeGitHubOwner {
    const installed = [...this.installations.values()].find((i) => sameLogin(i.account.login, login))?.account;
    const owner = [...this.repositories.values()].find((r) => sameLogin(r.owner.login, login))?.owner;
    return installed ?? owner ?? { login, id: this.nextAccountId++, type: 'Organization' };
  }

  /** The app's bot user, the author of everything written with an installation token. */
  private botAccount(): FakeGitHubAccount {
    return { login: `${this.options.appSlug}[bot]`, id: 9_000_000 + Number(this.options.appId), type: 'Bot' };
  }

  private describeUser(account: FakeGitHubAccount) {
    return {
      login: account.login,
      id: account.id,
      node_id: nodeId(account.type === 'Organization' ? 'O_' : account.type === 'Bot' ? 'BOT_' : 'U_', account.id),
      type: account.type,
      site_admin: false,
      url: `${this.url}/users/${encodeURIComponent(account.login)}`,
      html_url: `https://github.com/${account.login}`,
    };
  }

  private describeRepository(repository: FakeGitHubRepository) {
    const fullName = `${repository.owner.login}/${repository.name}`;
    const apiUrl = `${this.url}/repos/${fullName}`;
    return {
      id: repository.id,
      node_id: nodeId('R_', repository.id),
      name: repository.name,
      full_name: fullName,
      private: true,
      visibility: 'private',
      owner: this.describeUser(repository.owner),
      html_url: `https://github.com/${fullName}`,
      description: null,
      fork: false,
      url: apiUrl,
      issues_url: `${apiUrl}/issues{/number}`,
      issue_comment_url: `${apiUrl}/issues/comments{/number}`,
      default_branch: 'main',
      has_issues: true,
      archived: false,
      disabled: false,
      open_issues_count: repository.issues.filter((issue) => issue.state === 'open').length,
      created_at: repository.createdAt,
      updated_at: repository.createdAt,
      pushed_at: repository.createdAt,
    };
  }

  private issueUrl(repository: FakeGitHubRepository, issue: FakeGitHubIssue): string {
    return `${this.url}/repos/${repository.owner.login}/${repository.name}/issues/${issue.number}`;
  }

  private describeIssue(repository: FakeGitHubRepository, issue: FakeGitHubIssue) {
    const url = this.issueUrl(repository, issue);
    return {
      id: issue.id,
      node_id: nodeId('I_', issue.id),
      url,
      repository_url: `${this.url}/repos/${repository.owner.login}/${repository.name}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      html_url: `https://github.com/${repository.owner.login}/${repository.name}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: null,
      title: issue.title,
      body: issue.body,
      user: this.describeUser(issue.user),
      labels: issue.labels.map((name) => this.describeLabel(repository, name)),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      comments: issue.comments.length,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: null,
      author_association: issue.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  private describeLabel(repository: FakeGitHubRepository, name: string) {
    const id = labelId(name);
    const url = `${this.url}/repos/${repository.owner.login}/${repository.name}/labels/${encodeURIComponent(name)}`;
    return { id, node_id: nodeId('LA_', id), url, name, color: 'ededed', default: false, description: null };
  }

  private describeComment(repository: FakeGitHubRepository, issue: FakeGitHubIssue, comment: FakeGitHubComment) {
    return {
      id: comment.id,
      node_id: nodeId('IC_', comment.id),
      url: `${this.url}/repos/${repository.owner.login}/${repository.name}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${repository.owner.login}/${repository.name}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: this.issueUrl(repository, issue),
      body: comment.body,
      user: this.describeUser(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: 'NONE',
    };
  }

  private describe(installation: FakeGitHubInstallation) {
    return {
      id: installation.id,
      account: {
        login: installation.account.login,
        id: installation.account.id,
        type: installation.account.type,
        html_url: `https://github.com/${installation.account.login}`,
      },
      repository_selection: installation.repository_selection,
      access_tokens_url: `${this.url}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${this.url}/installation/repositories`,
      html_url: `https://github.com/organizations/${installation.account.login}/settings/installations/${installation.id}`,
      app_id: Number(this.options.appId),
      app_slug: this.options.appSlug,
      target_id: installation.account.id,
      target_type: installation.account.type,
      permissions: installation.permissions,
      events: ['issues', 'issue_comment', 'pull_request', 'push'],
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      single_file_name: null,
      suspended_at: installation.suspended ? '2026-01-02T00:00:00Z' : null,
      suspended_by: null,
    };
  }

  private authorisedInstallation(req: Request, res: Response): FakeGitHubInstallation | undefined {
    res.set('x-github-request-id', requestId());
    this.countCall('app', this.rateLimit, res);
    if (!this.validAppJwt(bearerToken(req))) {
      res.status(401).json({ message: 'A JSON web token could not be decoded', documentation_url: DOCS });
      return undefined;
    }
    const installation = this.installations.get(Number(req.params['id']));
    if (!installation) {
      res.status(404).json(NOT_FOUND);
      return undefined;
    }
    return installation;
  }

  /** RS256 signature against the app's public key, `iss` = app id, issued in the past, at most 10 minutes long. */
  private validAppJwt(jwt: string | undefined): boolean {
    const parts = jwt?.split('.');
    if (!parts || parts.length !== 3) return false;
    try {
      const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      const now = Math.floor(Date.now() / 1000);
      return (
        header.alg === 'RS256' &&
        verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url')) &&
        String(claims.iss) === this.options.appId &&
        claims.iat <= now &&
        claims.exp > now &&
        claims.exp - claims.iat <= 600
      );
    } catch {
      return false;
    }
  }
}

/** GitHub's 422 answer for a request body that fails validation. */
function validationFailed(res: Response, error: { resource: string; code: string; field: string }): void {
  res.status(422).json({ message: 'Validation Failed', errors: [error], documentation_url: DOCS, status: '422' });
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** GitHub's timestamp format: ISO 8601 in UTC without milliseconds. */
function githubTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}kw${Buffer.from(String(id)).toString('base64url')}`;
}

/** A stable label id per name, as labels are not stored on their own. */
function labelId(name: string): number {
  return [...name].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_000_000, 7);
}

/** Shaped like GitHub's `x-github-request-id`, e.g. `C0DE:1F2A:3B4C5D:6E7F80:6790AB12`. */
function requestId(): string {
  const hex = randomBytes(14).toString('hex').toUpperCase();
  return `${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 14)}:${hex.slice(14, 20)}:${hex.slice(20, 28)}`;
}

function positiveInteger(value: unknown): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : undefined;
}
