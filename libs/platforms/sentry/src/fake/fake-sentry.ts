import { Express, Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from '@bot/platform-fakes';
import { signSentryWebhook } from '../webhooks/sentry-signature';

export interface FakeSentryOptions {
  clientId: string;
  clientSecret: string;
  /** Slug of the integration; its install page is `/sentry-apps/<slug>/external-install/`. */
  appSlug: string;
  /** The integration's redirect URL (our `/oauth/callback/sentry`); without it the install page answers a page. */
  redirectUrl?: string;
  /** The integration's webhook URL (api-gateway's `/webhooks/sentry`); without it no webhook is sent on its own. */
  webhookUrl?: string;
}

export interface FakeSentryInstallation {
  uuid: string;
  orgSlug: string;
  orgId: string;
  status: 'pending' | 'installed';
  /** The grant code of the install; single use, valid 10 minutes. */
  code: string;
  codeExpiresAt: number;
  codeUsed: boolean;
  deleted: boolean;
}

interface FakeSentryToken {
  installationUuid: string;
  token: string;
  refreshToken: string;
  expiresAt: number;
}

export interface FakeSentryEvent {
  id: string;
  eventID: string;
  groupID: string;
  title: string;
  message: string;
  dateCreated: string;
  platform: string;
}

export interface FakeSentryIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  level: 'error' | 'warning' | 'info' | 'fatal';
  status: 'unresolved' | 'resolved' | 'ignored';
  project: { id: string; slug: string; name: string };
  firstSeen: string;
  lastSeen: string;
  events: FakeSentryEvent[];
}

export interface FakeSentryOrg {
  slug: string;
  id: string;
  name: string;
  projects: { id: string; slug: string; name: string }[];
  /** Newest first, as Sentry lists them. */
  issues: FakeSentryIssue[];
}

/** A webhook the fake sent (or tried to send). */
export interface FakeSentryWebhookDelivery {
  requestId: string;
  resource: string;
  action: string;
  url: string;
  body: string;
  status: number | 'network-error';
}

/** The project every fake organization has; its issues are `SANDBOX-1`, `SANDBOX-2`, … */
export const SENTRY_SANDBOX_PROJECT = { slug: 'sandbox-project', name: 'Sandbox project' };
/** Issues every fake organization starts with. */
export const SENTRY_SEEDED_ISSUE_COUNT = 3;
/** The organization the install page installs into unless `fake_org` names another. */
export const SENTRY_SANDBOX_ORG = 'sandbox-org';
/** Sentry's integration tokens live 8 hours. */
const TOKEN_LIFETIME_MS = 8 * 3600_000;
const CODE_LIFETIME_MS = 10 * 60_000;
const SEEDED_AT = Date.UTC(2026, 0, 1);
const PAGE_MAX = 100;
const NOT_FOUND = { detail: 'The requested resource does not exist' };
const NO_PERMISSION = { detail: 'You do not have permission to perform this action.' };

/**
 * Sentry's integration platform for one public integration: the external install page (approves at once and
 * redirects with `code`, `installationId`, `orgSlug`), token exchange and rotating refresh at
 * `/api/0/sentry-app-installations/{uuid}/authorizations/`, install verification and uninstall, and a slice of the
 * web API (organization, projects, issues with `Link` cursor paging, issue events, issue updates) that checks the
 * token belongs to the organization in the path. Sends signed webhooks (installation created / deleted, issue
 * created). Install page flags: `fake_org=<slug>`, `fake_decision=deny` (fake-only: redirects with
 * `error=access_denied`; Sentry itself just stays on its page).
 */
export class FakeSentry extends FakePlatform {
  readonly installations = new Map<string, FakeSentryInstallation>();
  readonly orgs = new Map<string, FakeSentryOrg>();
  readonly webhookDeliveries: FakeSentryWebhookDelivery[] = [];
  private readonly tokens = new Map<string, FakeSentryToken>();
  private readonly refreshTokens = new Map<string, FakeSentryToken>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private nextIssueId = 4_000_000_001;
  private nextEventNumber = 1;
  protected readonly persistentFields = ['installations', 'orgs', 'tokens', 'refreshTokens', 'nextIssueId', 'nextEventNumber'];

  constructor(readonly options: FakeSentryOptions) {
    super();
  }

  /** Installs the integration into an organization as the install page would (replacing an earlier install there). */
  install(orgSlug: string): FakeSentryInstallation {
    const org = this.org(orgSlug);
    for (const existing of this.installations.values()) {
      // One installation per organization: installing again replaces it, and its tokens stop working.
      if (existing.orgSlug === org.slug && !existing.deleted) this.remove(existing);
    }
    const installation: FakeSentryInstallation = {
      uuid: randomUUID(),
      orgSlug: org.slug,
      orgId: org.id,
      status: 'pending',
      code: fakeSecret('', 16).toLowerCase(),
      codeExpiresAt: Date.now() + CODE_LIFETIME_MS,
      codeUsed: false,
      deleted: false,
    };
    this.installations.set(installation.uuid, installation);
    return installation;
  }

  /** Tokens as a completed install and exchange would give, without the browser. */
  grant(orgSlug: string): { installation: FakeSentryInstallation; token: string; refreshToken: string; expiresAt: Date } {
    const installation = this.install(orgSlug);
    installation.codeUsed = true;
    installation.status = 'installed';
    const token = this.issue(installation);
    return { installation, token: token.token, refreshToken: token.refreshToken, expiresAt: new Date(token.expiresAt) };
  }

  /** From now on the token gets 401, as it would once expired. */
  expireToken(token: string): void {
    this.tokens.delete(token);
  }

  /** Every access token issued and still live (what a log scan looks for). */
  liveTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** The installation's live refresh token (rotation replaces it on every refresh). */
  currentRefreshToken(installationUuid: string): string | undefined {
    return [...this.refreshTokens.values()].find((token) => token.installationUuid === installationUuid)?.refreshToken;
  }

  /** An organization's data, seeding its project and first issues on first use. */
  org(slug: string): FakeSentryOrg {
    let org = this.orgs.get(slug);
    if (!org) {
      const id = String(100_000 + this.orgs.size + 1);
      org = { slug, id, name: slug, projects: [{ id: String(Number(id) * 10 + 1), ...SENTRY_SANDBOX_PROJECT }], issues: [] };
      this.orgs.set(slug, org);
      this.seedIssues(slug, SENTRY_SEEDED_ISSUE_COUNT, SEEDED_AT);
    }
    return org;
  }

  /** Adds issues (with one event each) to the organization's project, titled `Sandbox error <n>`. */
  seedIssues(orgSlug: string, count: number, at = Date.now()): FakeSentryIssue[] {
    const org = this.org(orgSlug);
    return Array.from({ length: count }, () => this.addIssue(org, `Sandbox error ${org.issues.length + 1}`, at));
  }

  /** Uninstalled in Sentry: tokens stop working and the `installation` `deleted` webhook is sent. */
  uninstall(installationUuid: string): Promise<FakeSentryWebhookDelivery | undefined> {
    const installation = this.installations.get(installationUuid);
    if (!installation || installation.deleted) throw new Error(`the fake Sentry has no installation ${installationUuid}`);
    this.remove(installation);
    return this.sendWebhook(installation.uuid, 'installation', 'deleted', { installation: this.describeInstallation(installation) });
  }

  /** A new error in the organization, announced with the `issue` `created` webhook. */
  async reportIssue(installationUuid: string, title: string): Promise<{ issue: FakeSentryIssue; delivery: FakeSentryWebhookDelivery | undefined }> {
    const installation = this.installations.get(installationUuid);
    if (!installation) throw new Error(`the fake Sentry has no installation ${installationUuid}`);
    const issue = this.addIssue(this.org(installation.orgSlug), title, Date.now());
    const delivery = await this.sendWebhook(installationUuid, 'issue', 'created', { issue: this.describeIssue(installation.orgSlug, issue) });
    return { issue, delivery };
  }

  /**
   * Sends a webhook as Sentry does: JSON body, `Request-ID`, `Sentry-Hook-Resource`, `Sentry-Hook-Timestamp` (unix
   * seconds) and `Sentry-Hook-Signature` (hex HMAC-SHA256 of the body under the client secret). Undefined when no
   * webhook URL is configured.
   */
  async sendWebhook(installationUuid: string, resource: string, action: string, data: Record<string, unknown>, url = this.options.webhookUrl): Promise<FakeSentryWebhookDelivery | undefined> {
    if (!url) return undefined;
    const body = JSON.stringify({ action, installation: { uuid: installationUuid }, data, actor: { type: 'application', id: 'sentry', name: 'Sentry' } });
    const delivery: FakeSentryWebhookDelivery = { requestId: randomUUID(), resource, action, url, body, status: 'network-error' };
    this.webhookDeliveries.push(delivery);
    const sending = fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'request-id': delivery.requestId,
        'sentry-hook-resource': resource,
        'sentry-hook-timestamp': String(Math.floor(Date.now() / 1000)),
        'sentry-hook-signature': signSentryWebhook(this.options.clientSecret, body),
      },
      body,
      signal: AbortSignal.timeout(5000),
    }).then(
      async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        delivery.status = response.status;
      },
      () => undefined,
    );
    this.inFlight.add(sending);
    await sending.finally(() => this.inFlight.delete(sending));
    return delivery;
  }

  override async stop(): Promise<void> {
    await Promise.all([...this.inFlight]);
    await super.stop();
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/sentry-apps/:slug/external-install/', (req, res) => {
      if (param(req, 'slug') !== this.options.appSlug) return res.status(404).type('html').send('<h1>Integration not found</h1>');
      const q = req.query as Record<string, string>;
      const redirect = this.options.redirectUrl;
      if (q['fake_decision'] === 'deny') {
        return redirect ? res.redirect(302, withQuery(redirect, { error: 'access_denied' })) : res.type('html').send('<h1>Installation cancelled</h1>');
      }
      const orgSlug = /^[a-z0-9][a-z0-9-]{0,49}$/.test(q['fake_org'] ?? '') ? q['fake_org'] : SENTRY_SANDBOX_ORG;
      const installation = this.install(orgSlug);
      // Sentry tells the integration through its webhook too (with the same grant code); it does not wait for it.
      void this.sendWebhook(installation.uuid, 'installation', 'created', { installation: this.describeInstallation(installation) });
      if (!redirect) return res.type('html').send(`<h1>Installed into ${orgSlug}</h1>`);
      res.redirect(302, withQuery(redirect, { code: installation.code, installationId: installation.uuid, orgSlug }));
    });

    this.handle(app, 'post', '/api/0/sentry-app-installations/:uuid/authorizations/', (req, res) => {
      const body = (req.body ?? {}) as Record<string, string>;
      if (body['client_id'] !== this.options.clientId || body['client_secret'] !== this.options.clientSecret) {
        return res.status(401).json({ detail: 'Invalid Client ID / Secret pair' });
      }
      const installation = this.installations.get(param(req, 'uuid'));
      if (!installation || installation.deleted) return res.status(404).json(NOT_FOUND);
      if (body['grant_type'] === 'authorization_code') {
        if (!body['code']) return res.status(400).json({ code: ['This field is required.'] });
        if (body['code'] !== installation.code || installation.codeUsed) return res.status(401).json({ detail: 'Invalid grant' });
        if (installation.codeExpiresAt <= Date.now()) return res.status(401).json({ detail: 'Grant has already expired' });
        installation.codeUsed = true;
        return res.status(201).json(this.describeToken(this.issue(installation)));
      }
      if (body['grant_type'] === 'refresh_token') {
        if (!body['refresh_token']) return res.status(400).json({ refresh_token: ['This field is required.'] });
        const current = this.refreshTokens.get(body['refresh_token']);
        if (!current || current.installationUuid !== installation.uuid) return res.status(401).json({ detail: 'Token does not exist' });
        // Sentry deletes the old token on refresh: the old access token stops working at once.
        this.refreshTokens.delete(current.refreshToken);
        this.tokens.delete(current.token);
        return res.status(201).json(this.describeToken(this.issue(installation)));
      }
      res.status(403).json({ detail: 'Invalid grant_type' });
    });

    this.handle(app, 'put', '/api/0/sentry-app-installations/:uuid/', (req, res) => {
      const caller = this.caller(req);
      const installation = this.installations.get(param(req, 'uuid'));
      if (!caller) return res.status(401).json({ detail: 'Invalid token' });
      if (!installation || installation.deleted || caller.uuid !== installation.uuid) return res.status(404).json(NOT_FOUND);
      if ((req.body as { status?: unknown } | undefined)?.status !== 'installed') return res.status(400).json({ status: ['Invalid value.'] });
      installation.status = 'installed';
      res.json(this.describeInstallation(installation));
    });

    this.handle(app, 'delete', '/api/0/sentry-app-installations/:uuid/', (req, res) => {
      const caller = this.caller(req);
      const installation = this.installations.get(param(req, 'uuid'));
      if (!caller) return res.status(401).json({ detail: 'Invalid token' });
      if (!installation || installation.deleted || caller.uuid !== installation.uuid) return res.status(404).json(NOT_FOUND);
      this.remove(installation);
      void this.sendWebhook(installation.uuid, 'installation', 'deleted', { installation: this.describeInstallation(installation) });
      res.status(204).end();
    });

    this.api(app, 'get', '/api/0/organizations/:org/', (_req, res, org) => {
      res.json({ id: org.id, slug: org.slug, name: org.name, status: { id: 'active', name: 'active' }, dateCreated: new Date(SEEDED_AT).toISOString(), isEarlyAdopter: false, features: [] });
    });

    this.api(app, 'get', '/api/0/organizations/:org/projects/', (req, res, org) => {
      this.page(req, res, org.projects.map((project) => ({ id: project.id, slug: project.slug, name: project.name, platform: 'node', dateCreated: new Date(SEEDED_AT).toISOString(), isMember: true, hasAccess: true, status: 'active' })));
    });

    this.api(app, 'get', '/api/0/organizations/:org/issues/', (req, res, org) => {
      this.page(req, res, this.matching(org.issues, req.query['query']).map((issue) => this.describeIssue(org.slug, issue)));
    });

    this.api(app, 'get', '/api/0/projects/:org/:project/issues/', (req, res, org) => {
      const project = org.projects.find((candidate) => candidate.slug === param(req, 'project'));
      if (!project) return res.status(404).json(NOT_FOUND);
      const issues = org.issues.filter((issue) => issue.project.slug === project.slug);
      this.page(req, res, this.matching(issues, req.query['query']).map((issue) => this.describeIssue(org.slug, issue)));
    });

    for (const prefix of ['/api/0/organizations/:org/issues/:issueId/', '/api/0/issues/:issueId/']) {
      this.api(app, 'get', prefix, (req, res, org) => {
        const issue = org.issues.find((candidate) => candidate.id === param(req, 'issueId'));
        if (!issue) return res.status(404).json(NOT_FOUND);
        res.json(this.describeIssue(org.slug, issue));
      });
      this.api(app, 'put', prefix, (req, res, org) => {
        const issue = org.issues.find((candidate) => candidate.id === param(req, 'issueId'));
        if (!issue) return res.status(404).json(NOT_FOUND);
        const status = (req.body as { status?: unknown } | undefined)?.status;
        if (status !== undefined && status !== 'resolved' && status !== 'unresolved' && status !== 'ignored') return res.status(400).json({ status: [`"${String(status)}" is not a valid choice.`] });
        if (status) issue.status = status;
        res.json({ status: issue.status, statusDetails: {} });
      });
      this.api(app, 'get', `${prefix}events/`, (req, res, org) => {
        const issue = org.issues.find((candidate) => candidate.id === param(req, 'issueId'));
        if (!issue) return res.status(404).json(NOT_FOUND);
        this.page(req, res, [...issue.events].reverse());
      });
    }
  }

  protected override unknownRoute(_req: Request, res: Response): void {
    res.status(404).json(NOT_FOUND);
  }

  protected override unparsableBody(_req: Request, res: Response): void {
    res.status(400).json({ detail: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' });
  }

  /** Registers a web-API route: only for a live token whose installation's organization is the one in the path. */
  private api(app: Express, method: 'get' | 'put', path: string, handler: (req: Request, res: Response, org: FakeSentryOrg) => unknown): void {
    this.handle(app, method, path, (req, res) => {
      const installation = this.caller(req);
      if (!installation) return res.status(401).json({ detail: 'Invalid token' });
      const orgSlug = param(req, 'org') || installation.orgSlug;
      if (orgSlug !== installation.orgSlug) return res.status(this.orgs.has(orgSlug) ? 403 : 404).json(this.orgs.has(orgSlug) ? NO_PERMISSION : NOT_FOUND);
      return handler(req, res, this.org(orgSlug));
    });
  }

  /** One page of `items` by Sentry's cursor (`<value>:<offset>:<is_prev>`), with its `Link` header. */
  private page(req: Request, res: Response, items: unknown[]): void {
    const perPage = Math.max(1, Math.min(PAGE_MAX, Number(req.query['per_page'] ?? req.query['limit'] ?? PAGE_MAX) || PAGE_MAX));
    const cursor = /^(\d+):(\d+):([01])$/.exec(String(req.query['cursor'] ?? '0:0:0'));
    if (!cursor) return void res.status(400).json({ detail: 'Invalid cursor parameter.' });
    const offset = Number(cursor[2]);
    const pageItems = items.slice(offset, offset + perPage);
    const link = (rel: 'previous' | 'next', to: number, results: boolean, isPrev: 0 | 1) => {
      const value = `0:${to}:${isPrev}`;
      const url = new URL(`${this.url}${req.path}`);
      for (const [key, v] of Object.entries(req.query)) if (key !== 'cursor') url.searchParams.set(key, String(v));
      url.searchParams.set('cursor', value);
      return `<${url.toString()}>; rel="${rel}"; results="${results}"; cursor="${value}"`;
    };
    res.set('link', [link('previous', Math.max(0, offset - perPage), offset > 0, 1), link('next', offset + perPage, offset + perPage < items.length, 0)].join(', '));
    res.json(pageItems);
  }

  private matching(issues: FakeSentryIssue[], query: unknown): FakeSentryIssue[] {
    const wanted = typeof query === 'string' ? /(?:^|\s)is:(unresolved|resolved|ignored)(?:\s|$)/.exec(query)?.[1] : 'unresolved';
    return wanted ? issues.filter((issue) => issue.status === wanted) : issues;
  }

  private caller(req: Request): FakeSentryInstallation | undefined {
    const token = this.tokens.get(bearerToken(req) ?? '');
    if (!token) return undefined;
    if (token.expiresAt <= Date.now()) {
      this.tokens.delete(token.token);
      return undefined;
    }
    const installation = this.installations.get(token.installationUuid);
    return installation && !installation.deleted ? installation : undefined;
  }

  private issue(installation: FakeSentryInstallation): FakeSentryToken {
    const token: FakeSentryToken = { installationUuid: installation.uuid, token: fakeSecret('sntryi_', 32), refreshToken: fakeSecret('sntryr_', 32), expiresAt: Date.now() + TOKEN_LIFETIME_MS };
    this.tokens.set(token.token, token);
    this.refreshTokens.set(token.refreshToken, token);
    return token;
  }

  private remove(installation: FakeSentryInstallation): void {
    installation.deleted = true;
    for (const [value, token] of this.tokens) if (token.installationUuid === installation.uuid) this.tokens.delete(value);
    for (const [value, token] of this.refreshTokens) if (token.installationUuid === installation.uuid) this.refreshTokens.delete(value);
  }

  private addIssue(org: FakeSentryOrg, title: string, at: number): FakeSentryIssue {
    const project = org.projects[0];
    const id = String(this.nextIssueId++);
    const seen = new Date(at).toISOString();
    const eventID = createHash('md5').update(`event:${this.nextEventNumber++}`).digest('hex');
    const issue: FakeSentryIssue = {
      id,
      shortId: `${project.slug.toUpperCase()}-${org.issues.length + 1}`,
      title,
      culprit: 'app/handlers/index.js in handle',
      level: 'error',
      status: 'unresolved',
      project,
      firstSeen: seen,
      lastSeen: seen,
      events: [{ id: eventID, eventID, groupID: id, title, message: title, dateCreated: seen, platform: 'node' }],
    };
    org.issues.unshift(issue);
    return issue;
  }

  private describeIssue(orgSlug: string, issue: FakeSentryIssue) {
    return {
      id: issue.id,
      shortId: issue.shortId,
      title: issue.title,
      culprit: issue.culprit,
      permalink: `${this.url}/organizations/${orgSlug}/issues/${issue.id}/`,
      logger: null,
      level: issue.level,
      status: issue.status,
      statusDetails: {},
      isPublic: false,
      platform: 'node',
      project: { ...issue.project, platform: 'node' },
      type: 'error',
      metadata: { type: 'Error', value: issue.title },
      numComments: 0,
      assignedTo: null,
      isBookmarked: false,
      isSubscribed: false,
      hasSeen: false,
      isUnhandled: true,
      count: String(issue.events.length),
      userCount: 1,
      firstSeen: issue.firstSeen,
      lastSeen: issue.lastSeen,
    };
  }

  private describeInstallation(installation: FakeSentryInstallation) {
    return {
      app: { uuid: createHash('sha256').update(`app:${this.options.appSlug}`).digest('hex').slice(0, 32), slug: this.options.appSlug },
      organization: { slug: installation.orgSlug, id: Number(installation.orgId) },
      uuid: installation.uuid,
      code: installation.code,
      status: installation.status,
    };
  }

  private describeToken(token: FakeSentryToken) {
    return {
      id: String(Math.floor(Math.random() * 1e9)),
      token: token.token,
      refreshToken: token.refreshToken,
      dateCreated: new Date().toISOString(),
      expiresAt: new Date(token.expiresAt).toISOString(),
      state: null,
      application: null,
      scopes: ['event:read', 'org:read', 'project:read', 'event:write'],
    };
  }
}

/** A route parameter as one string. */
function param(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}
