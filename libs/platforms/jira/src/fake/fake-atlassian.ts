import { Express, Request, Response } from 'express';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from '@bot/platform-fakes';
import { signJiraWebhookJwt } from '../webhooks/jira-jwt';
import { compileJql, JqlQuery } from './fake-jql';
import { compileWebhookJql } from './fake-webhook-jql';

export interface FakeAtlassianOptions {
  clientId: string;
  clientSecret: string;
  /** Waits between delivery attempts of a webhook (one attempt more than there are entries); default 50 ms, 200 ms. */
  deliveryRetryDelaysMs?: number[];
}

/** A dynamic webhook registered through the REST API by the app, on one site. */
export interface FakeJiraWebhook {
  id: number;
  cloudId: string;
  url: string;
  events: string[];
  jqlFilter: string;
  /** Epoch ms; past it the webhook is gone (not listed, not delivered), as at Jira. */
  expiresAt: number;
}

/** One webhook delivery the fake made (or tried to make). */
export interface FakeJiraDelivery {
  identifier: string;
  cloudId: string;
  url: string;
  event: string;
  webhookIds: number[];
  body: string;
  attempts: number;
  /** The last answer's status, or `network-error`. */
  outcome: number | 'network-error';
  delivered: boolean;
}

/** A delivery the fake gave up on, as `GET /rest/api/3/webhook/failed` lists it. */
export interface FakeFailedWebhook {
  id: string;
  cloudId: string;
  url: string;
  body?: string;
  failureTime: number;
}

/** Events a dynamic webhook may subscribe to. */
const WEBHOOK_EVENTS = new Set([
  'jira:issue_created',
  'jira:issue_updated',
  'jira:issue_deleted',
  'comment_created',
  'comment_updated',
  'comment_deleted',
  'issue_property_set',
  'issue_property_deleted',
]);
const WEBHOOK_LIFETIME_MS = 30 * 24 * 3600_000;

export interface FakeJiraSite {
  id: string;
  url: string;
  name: string;
}

interface AtlassianGrant {
  sites: FakeJiraSite[];
  scope: string;
  refreshToken: string;
}

export interface FakeJiraProject {
  id: string;
  key: string;
  name: string;
}

export interface FakeJiraComment {
  id: string;
  /** Atlassian Document Format. */
  body: unknown;
  created: string;
  updated: string;
}

export interface FakeJiraIssue {
  id: string;
  key: string;
  project: FakeJiraProject;
  summary: string;
  /** Atlassian Document Format, or null. */
  description: unknown;
  issueType: { id: string; name: string };
  created: string;
  updated: string;
  comments: FakeJiraComment[];
}

/** One Jira site's data, seeded when the first grant including the site is made. */
export interface FakeJiraSiteData {
  site: FakeJiraSite;
  projects: FakeJiraProject[];
  /** In creation order. */
  issues: FakeJiraIssue[];
  nextCommentId: number;
}

/** The project every fake site has; its issues are `SBX-1`, `SBX-2`, … */
export const JIRA_SANDBOX_PROJECT: Readonly<FakeJiraProject> = { id: '10000', key: 'SBX', name: 'Sandbox' };
/** Issues every fake site starts with: `SBX-1..3`, summaries `Sandbox issue 1..3`. */
export const JIRA_SEEDED_ISSUE_COUNT = 3;
/** The user who consented; `myself` and the author of comments made through the API. */
export const JIRA_SANDBOX_USER = { accountId: '712020:5a1d0c3e-fa6e-4b1f-9d2a-5d0a1b2c3d4e', displayName: 'Sandbox User', emailAddress: 'sandbox.user@example.com' };
export const JIRA_DEFAULT_SCOPE = 'read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access';

const ISSUE_TYPES = [
  { id: '10001', name: 'Task' },
  { id: '10002', name: 'Bug' },
  { id: '10003', name: 'Story' },
];
const ACCESS_TOKEN_LIFETIME_S = 3600;
/** Where seeded issues say they were made, so listings are stable from run to run. */
const SEEDED_AT = Date.UTC(2026, 0, 1);
const ISSUE_NOT_FOUND = { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} };
/** `fields` of an issue that `*navigable` (the search default) leaves out. */
const NON_NAVIGABLE_FIELDS = ['comment'];

/**
 * Atlassian (auth and API gateway on one server): `/authorize` requiring PKCE S256, `/oauth/token` (JSON) with
 * rotating refresh tokens where an already-used refresh token gives `invalid_grant`, `accessible-resources`, and
 * the Jira Cloud REST API v3 under `/ex/jira/<cloudId>` for the sites a token was granted: myself, serverInfo,
 * issues, comments and a small JQL search. Authorize page flags: `fake_sites=<n>`, `fake_site=<name>`,
 * `fake_decision=deny`.
 */
export class FakeAtlassian extends FakePlatform {
  /** Live access tokens → their grant. */
  readonly accessTokens = new Map<string, AtlassianGrant>();
  /** Jira data by cloud id. */
  readonly sites = new Map<string, FakeJiraSiteData>();
  private readonly codes = new Map<string, { challenge: string; redirectUri: string; scope: string; sites: FakeJiraSite[] }>();
  private readonly tokenExpiry = new Map<string, number>();
  private readonly grantsByRefreshToken = new Map<string, AtlassianGrant>();
  /** Every refresh token ever issued, spent or not → its grant, so tests can follow a grant through rotations. */
  private readonly grantsByAnyRefreshToken = new Map<string, AtlassianGrant>();
  private readonly usedRefreshTokens = new Set<string>();
  /** Dynamic webhooks by id (expired ones stay here but count as gone). */
  readonly webhooks = new Map<number, FakeJiraWebhook>();
  /** Every webhook delivery, in the order they were started. */
  readonly deliveries: FakeJiraDelivery[] = [];
  /** Deliveries given up on, oldest first (`GET /rest/api/3/webhook/failed`). */
  readonly failedWebhooks: FakeFailedWebhook[] = [];
  private nextWebhookId = 10_000;
  private readonly inFlight = new Set<Promise<void>>();

  protected readonly persistentFields = [
    'accessTokens',
    'sites',
    'codes',
    'tokenExpiry',
    'grantsByRefreshToken',
    'grantsByAnyRefreshToken',
    'usedRefreshTokens',
    'webhooks',
    'failedWebhooks',
    'nextWebhookId',
  ];

  constructor(private readonly options: FakeAtlassianOptions) {
    super();
  }

  /** The site's live dynamic webhooks. */
  webhooksOf(site: { id: string }): FakeJiraWebhook[] {
    return [...this.webhooks.values()].filter((webhook) => webhook.cloudId === site.id && webhook.expiresAt > Date.now());
  }

  /** Moves a webhook's expiry (e.g. to 6 days from now, so it is due for renewal). */
  setWebhookExpiry(id: number, expiresAt: Date): void {
    const webhook = this.webhooks.get(id);
    if (!webhook) throw new Error(`the fake Jira has no webhook ${id}`);
    webhook.expiresAt = expiresAt.getTime();
  }

  /** Jira no longer knows the webhook (expired unnoticed, or removed by a site admin). */
  forgetWebhook(id: number): void {
    this.webhooks.delete(id);
  }

  /** Adds a delivery to the site's failed list, as if Jira had given up on it after its retries. */
  recordFailedDelivery(site: { id: string }, failure: Omit<FakeFailedWebhook, 'cloudId' | 'failureTime'> & { failureTime?: number }): FakeFailedWebhook {
    const recorded = { cloudId: site.id, failureTime: Date.now(), ...failure };
    this.failedWebhooks.push(recorded);
    return recorded;
  }

  /** Resolves when every webhook delivery started so far has finished (delivered or given up). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  override async stop(): Promise<void> {
    await this.settled();
    await super.stop();
  }

  /**
   * Tokens as a completed consent for these sites (or this many sites named `sandbox`, `sandbox-2`, …) would give,
   * without the OAuth dance.
   */
  grant(sites: FakeJiraSite[] | number, scope = JIRA_DEFAULT_SCOPE): { accessToken: string; refreshToken: string; sites: FakeJiraSite[] } {
    const granted = typeof sites === 'number' ? sitesNamed('sandbox', sites) : sites;
    const answer = this.issue({ sites: granted, scope, refreshToken: '' });
    return { accessToken: answer.access_token, refreshToken: answer.refresh_token, sites: granted };
  }

  /** From now on the access token gets 401, as it would once expired. */
  expireToken(accessToken: string): void {
    this.accessTokens.delete(accessToken);
    this.tokenExpiry.delete(accessToken);
  }

  /** The grant's live refresh token, given any refresh token it has had (rotation replaces it on every refresh). */
  currentRefreshToken(refreshToken: string): string | undefined {
    return this.grantsByAnyRefreshToken.get(refreshToken)?.refreshToken;
  }

  /**
   * Revokes the grant that any of its refresh tokens names, as the user removing the app's access would: its
   * access tokens get 401 and its refresh token `invalid_grant`.
   */
  revokeGrant(refreshToken: string): void {
    const grant = this.grantsByAnyRefreshToken.get(refreshToken);
    if (!grant) throw new Error('no fake Atlassian grant has that refresh token');
    this.grantsByRefreshToken.delete(grant.refreshToken);
    for (const [accessToken, owner] of this.accessTokens) if (owner === grant) this.expireToken(accessToken);
  }

  /** The site's Jira data, seeding project SBX and its first issues on first use. */
  siteData(site: FakeJiraSite): FakeJiraSiteData {
    let data = this.sites.get(site.id);
    if (!data) {
      data = { site, projects: [{ ...JIRA_SANDBOX_PROJECT }], issues: [], nextCommentId: 10_000 };
      this.sites.set(site.id, data);
      this.seedIssues(site, JIRA_SEEDED_ISSUE_COUNT);
    }
    return data;
  }

  /** Adds issues to project SBX of the site, with summaries `Sandbox issue <n>` numbered on from the last key. */
  seedIssues(site: FakeJiraSite, count: number): FakeJiraIssue[] {
    const data = this.siteData(site);
    return Array.from({ length: count }, () => {
      const number = data.issues.filter((issue) => issue.project.key === JIRA_SANDBOX_PROJECT.key).length + 1;
      return addIssue(data, data.projects[0], { summary: `Sandbox issue ${number}`, description: adfText(`Seeded issue ${number}.`), issueType: ISSUE_TYPES[0] }, SEEDED_AT);
    });
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/authorize', (req, res) => {
      const q = req.query as Record<string, string>;
      if (q['client_id'] !== this.options.clientId || !q['redirect_uri']) return res.status(400).send('Invalid client');
      const fail = (error: string) => res.redirect(302, withQuery(q['redirect_uri'], { error, error_description: error, state: q['state'] }));
      if (q['fake_decision'] === 'deny') return fail('access_denied');
      if (q['audience'] !== 'api.atlassian.com' || q['response_type'] !== 'code') return fail('invalid_request');
      if (q['code_challenge_method'] !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q['code_challenge'] ?? '')) return fail('invalid_request');
      const sites = sitesNamed(q['fake_site'] ?? 'sandbox', Math.max(0, Math.min(5, Number(q['fake_sites'] ?? 1))));
      const code = fakeSecret('', 24);
      this.codes.set(code, { challenge: q['code_challenge'], redirectUri: q['redirect_uri'], scope: q['scope'] ?? '', sites });
      res.redirect(302, withQuery(q['redirect_uri'], { code, state: q['state'] }));
    });

    this.handle(app, 'post', '/oauth/token', (req, res) => {
      if (!req.is('application/json')) return res.status(415).json({ error: 'unsupported_media_type' });
      const body = (req.body ?? {}) as Record<string, string>;
      if (body['client_id'] !== this.options.clientId || body['client_secret'] !== this.options.clientSecret) {
        return res.status(401).json({ error: 'access_denied', error_description: 'Unauthorized' });
      }
      const invalidGrant = (description: string) => res.status(403).json({ error: 'invalid_grant', error_description: description });
      if (body['grant_type'] === 'authorization_code') {
        const pending = this.codes.get(body['code']);
        if (!pending) return invalidGrant('Invalid authorization code');
        this.codes.delete(body['code']);
        if (body['redirect_uri'] !== pending.redirectUri) return invalidGrant('redirect_uri does not match');
        const challenge = createHash('sha256').update(body['code_verifier'] ?? '').digest('base64url');
        if (!body['code_verifier'] || challenge !== pending.challenge) return invalidGrant('Invalid code_verifier');
        return res.json(this.issue({ sites: pending.sites, scope: pending.scope, refreshToken: '' }));
      }
      if (body['grant_type'] === 'refresh_token') {
        const grant = this.grantsByRefreshToken.get(body['refresh_token']);
        if (!grant) {
          return invalidGrant(this.usedRefreshTokens.has(body['refresh_token']) ? 'Refresh token has already been used' : 'Unknown or invalid refresh token.');
        }
        // Rotation: the presented refresh token is spent, whatever happens next.
        this.grantsByRefreshToken.delete(body['refresh_token']);
        this.usedRefreshTokens.add(body['refresh_token']);
        return res.json(this.issue(grant));
      }
      res.status(400).json({ error: 'unsupported_grant_type' });
    });

    this.handle(app, 'get', '/oauth/token/accessible-resources', (req, res) => {
      const grant = this.liveGrant(req);
      if (!grant) return res.status(401).json({ code: 401, message: 'Unauthorized' });
      res.json(
        grant.sites.map((site) => ({
          id: site.id,
          url: site.url,
          name: site.name,
          scopes: grant.scope.split(' ').filter((scope) => scope !== 'offline_access'),
          avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png',
        })),
      );
    });

    this.jiraRoutes(app);
  }

  protected override unparsableBody(_req: Request, res: Response): void {
    res.status(400).json({ errorMessages: ['Invalid request payload. Refer to the REST API documentation and try again.'], errors: {} });
  }

  /** Jira Cloud REST API v3 as the API gateway serves it to 3LO tokens. */
  private jiraRoutes(app: Express): void {
    this.jira(app, 'get', '/myself', (_req, res, data) => {
      res.json({
        ...describeUser(data.site),
        timeZone: 'Etc/UTC',
        locale: 'en_US',
        groups: { size: 1, items: [] },
        applicationRoles: { size: 1, items: [] },
        expand: 'groups,applicationRoles',
      });
    });

    this.jira(app, 'get', '/serverInfo', (_req, res, data) => {
      res.json({
        baseUrl: data.site.url,
        displayUrl: data.site.url,
        version: '1001.0.0-SNAPSHOT',
        versionNumbers: [1001, 0, 0],
        deploymentType: 'Cloud',
        buildNumber: 100_283,
        buildDate: '2026-01-01T00:00:00.000+0000',
        serverTime: jiraTime(Date.now()),
        scmInfo: 'fake',
        serverTitle: 'Jira',
        defaultLocale: { locale: 'en_US' },
        serverTimeZone: 'Etc/UTC',
      });
    });

    this.jira(app, 'post', '/issue', (req, res, data) => {
      const fields = ((req.body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {}) as Record<string, unknown>;
      const errors: Record<string, string> = {};
      const projectRef = (fields['project'] ?? {}) as { key?: unknown; id?: unknown };
      const project = data.projects.find((candidate) => candidate.key === String(projectRef.key ?? '').toUpperCase() || candidate.id === String(projectRef.id ?? ''));
      if (!project) errors['project'] = 'Specify a valid project ID or key';
      const summary = fields['summary'];
      if (typeof summary !== 'string' || !summary.trim()) errors['summary'] = 'You must specify a summary of the issue.';
      const typeRef = fields['issuetype'] as { name?: unknown; id?: unknown } | undefined;
      const issueType = ISSUE_TYPES.find((type) => type.name === typeRef?.name || type.id === String(typeRef?.id ?? ''));
      if (!issueType) errors['issuetype'] = typeRef ? 'Specify a valid issue type' : 'Specify an issue type';
      const description = fields['description'] ?? null;
      if (description !== null && !isAdfDocument(description)) errors['description'] = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      if (!project || !issueType || Object.keys(errors).length > 0) return res.status(400).json({ errorMessages: [], errors });
      const issue = addIssue(data, project, { summary: String(summary), description, issueType }, Date.now());
      res.status(201).json({ id: issue.id, key: issue.key, self: issueSelf(data.site, issue) });
      this.deliverEvent(data, 'jira:issue_created', issue);
    });

    this.jira(app, 'get', '/issue/:issueIdOrKey', (req, res, data) => {
      const issue = findIssue(data, req.params['issueIdOrKey']);
      if (!issue) return res.status(404).json(ISSUE_NOT_FOUND);
      res.json(describeIssue(data.site, issue, requestedFields(req.query['fields'], '*all')));
    });

    this.jira(app, 'get', '/issue/:issueIdOrKey/comment', (req, res, data) => {
      const issue = findIssue(data, req.params['issueIdOrKey']);
      if (!issue) return res.status(404).json(ISSUE_NOT_FOUND);
      const startAt = nonNegativeInteger(req.query['startAt']) ?? 0;
      const maxResults = Math.min(5000, nonNegativeInteger(req.query['maxResults']) ?? 5000);
      const comments = req.query['orderBy'] === '-created' ? [...issue.comments].reverse() : issue.comments;
      res.json({
        startAt,
        maxResults,
        total: comments.length,
        comments: comments.slice(startAt, startAt + maxResults).map((comment) => describeComment(data.site, issue, comment)),
      });
    });

    this.jira(app, 'post', '/issue/:issueIdOrKey/comment', (req, res, data) => {
      const issue = findIssue(data, req.params['issueIdOrKey']);
      if (!issue) return res.status(404).json(ISSUE_NOT_FOUND);
      const body = (req.body as { body?: unknown } | undefined)?.body;
      if (body === undefined || body === null || body === '') return res.status(400).json({ errorMessages: [], errors: { comment: 'Comment body can not be empty!' } });
      if (!isAdfDocument(body)) return res.status(400).json({ errorMessages: [], errors: { comment: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' } });
      const now = jiraTime(Date.now());
      const comment: FakeJiraComment = { id: String(data.nextCommentId++), body, created: now, updated: now };
      issue.comments.push(comment);
      issue.updated = now;
      res.status(201).json(describeComment(data.site, issue, comment));
      this.deliverEvent(data, 'comment_created', issue, comment);
    });

    // The classic search (what jira.js 4's searchForIssuesUsingJql and …Post call): startAt/maxResults paging.
    const classicSearch = (params: SearchParams, res: Response, data: FakeJiraSiteData) => {
      const query = compileJql(params.jql, data.projects);
      if ('error' in query) return res.status(400).json({ errorMessages: [query.error], errors: {} });
      const issues = runQuery(data, query);
      const startAt = nonNegativeInteger(params.startAt) ?? 0;
      const maxResults = Math.min(100, nonNegativeInteger(params.maxResults) ?? 50);
      const fields = requestedFields(params.fields, '*navigable');
      res.json({
        expand: 'schema,names',
        startAt,
        maxResults,
        total: issues.length,
        issues: issues.slice(startAt, startAt + maxResults).map((issue) => describeIssue(data.site, issue, fields)),
      });
    };
    this.jira(app, 'get', '/search', (req, res, data) => classicSearch(req.query as SearchParams, res, data));
    this.jira(app, 'post', '/search', (req, res, data) => classicSearch((req.body ?? {}) as SearchParams, res, data));

    // The enhanced search: opaque nextPageToken paging, no total, and only issue ids unless fields are asked for.
    const enhancedSearch = (params: SearchParams, res: Response, data: FakeJiraSiteData) => {
      if (!String(params.jql ?? '').trim()) {
        return res.status(400).json({ errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'], errors: {} });
      }
      const query = compileJql(params.jql, data.projects);
      if ('error' in query) return res.status(400).json({ errorMessages: [query.error], errors: {} });
      const offset = params.nextPageToken ? decodePageToken(String(params.nextPageToken)) : 0;
      if (offset === undefined) return res.status(400).json({ errorMessages: ['The provided next page token is invalid or expired.'], errors: {} });
      const fields = params.fields === undefined ? [] : requestedFields(params.fields, '*navigable');
      const maxResults = Math.min(fields.length > 0 ? 100 : 5000, nonNegativeInteger(params.maxResults) ?? 50);
      const issues = runQuery(data, query);
      const page = issues.slice(offset, offset + maxResults);
      const isLast = offset + page.length >= issues.length;
      res.json({
        issues: page.map((issue) => (fields.length > 0 ? describeIssue(data.site, issue, fields) : { id: issue.id })),
        ...(isLast ? {} : { nextPageToken: encodePageToken(offset + page.length) }),
        isLast,
      });
    };
    this.jira(app, 'get', '/search/jql', (req, res, data) => enhancedSearch(req.query as SearchParams, res, data));
    this.jira(app, 'post', '/search/jql', (req, res, data) => enhancedSearch((req.body ?? {}) as SearchParams, res, data));
    this.webhookRoutes(app);
  }

  /** Dynamic webhooks of OAuth 2.0 apps: register, list, refresh, delete, and the failed-delivery list. */
  private webhookRoutes(app: Express): void {
    this.jira(app, 'post', '/webhook', (req, res, data) => {
      const body = (req.body ?? {}) as { url?: unknown; webhooks?: unknown };
      if (typeof body.url !== 'string' || !/^https?:\/\/\S+$/.test(body.url)) return res.status(400).json({ errorMessages: ['The webhook URL is missing or invalid.'], errors: {} });
      if (!Array.isArray(body.webhooks) || body.webhooks.length === 0) return res.status(400).json({ errorMessages: ['At least one webhook must be specified.'], errors: {} });
      const url = body.url;
      const otherUrl = this.webhooksOf(data.site).some((webhook) => webhook.url !== url);
      const webhookRegistrationResult = body.webhooks.map((definition: { events?: unknown; jqlFilter?: unknown }) => {
        if (otherUrl) return { errors: ['Only a single URL per app is allowed to be registered.'] };
        const events = Array.isArray(definition?.events) ? definition.events : [];
        const unknown = events.filter((event) => typeof event !== 'string' || !WEBHOOK_EVENTS.has(event));
        if (events.length === 0) return { errors: ['At least one event must be specified.'] };
        if (unknown.length > 0) return { errors: unknown.map((event) => `The event ${String(event)} is not supported.`) };
        const filter = compileWebhookJql(definition.jqlFilter);
        if ('error' in filter) return { errors: [filter.error] };
        const webhook: FakeJiraWebhook = { id: this.nextWebhookId++, cloudId: data.site.id, url, events: events as string[], jqlFilter: String(definition.jqlFilter), expiresAt: Date.now() + WEBHOOK_LIFETIME_MS };
        this.webhooks.set(webhook.id, webhook);
        return { createdWebhookId: webhook.id };
      });
      res.json({ webhookRegistrationResult });
    });

    this.jira(app, 'get', '/webhook', (req, res, data) => {
      const startAt = nonNegativeInteger(req.query['startAt']) ?? 0;
      const maxResults = Math.min(100, nonNegativeInteger(req.query['maxResults']) ?? 50);
      const live = this.webhooksOf(data.site);
      const page = live.slice(startAt, startAt + maxResults);
      res.json({
        isLast: startAt + page.length >= live.length,
        maxResults,
        startAt,
        total: live.length,
        values: page.map((webhook) => ({ id: webhook.id, jqlFilter: webhook.jqlFilter, events: webhook.events, expirationDate: jiraTime(webhook.expiresAt) })),
      });
    });

    this.jira(app, 'put', '/webhook/refresh', (req, res, data) => {
      const ids = webhookIdsOf(req.body);
      if (!ids) return res.status(400).json({ errorMessages: ['webhookIds must be a list of webhook ids.'], errors: {} });
      const expiresAt = Date.now() + WEBHOOK_LIFETIME_MS;
      // Ids of other sites or that Jira no longer has are ignored, as Jira does.
      for (const webhook of this.webhooksOf(data.site)) if (ids.includes(webhook.id)) webhook.expiresAt = expiresAt;
      res.json({ expirationDate: jiraTime(expiresAt) });
    });

    this.jira(app, 'delete', '/webhook', (req, res, data) => {
      const ids = webhookIdsOf(req.body);
      if (!ids) return res.status(400).json({ errorMessages: ['webhookIds must be a list of webhook ids.'], errors: {} });
      for (const id of ids) if (this.webhooks.get(id)?.cloudId === data.site.id) this.webhooks.delete(id);
      res.status(202).end();
    });

    this.jira(app, 'get', '/webhook/failed', (req, res, data) => {
      const maxResults = Math.min(100, nonNegativeInteger(req.query['maxResults']) ?? 100);
      const after = nonNegativeInteger(req.query['after']) ?? -1;
      const failed = this.failedWebhooks.filter((failure) => failure.cloudId === data.site.id && failure.failureTime > after).sort((a, b) => a.failureTime - b.failureTime);
      const page = failed.slice(0, maxResults);
      const last = page.at(-1);
      res.json({
        values: page.map(({ id, body, url, failureTime }) => ({ id, ...(body === undefined ? {} : { body }), url, failureTime })),
        maxResults,
        ...(failed.length > page.length && last ? { next: `${data.site.url}/rest/api/3/webhook/failed?after=${last.failureTime}&maxResults=${maxResults}` } : {}),
      });
    });
  }

  /**
   * Sends an event to every live webhook of the site that subscribes to it and whose JQL matches the issue: one
   * signed POST per URL (HS256 JWT under the app's client secret, `X-Atlassian-Webhook-Identifier`), retried, and
   * listed as failed when every attempt fails. Runs after the API answer, as Jira's deliveries do.
   */
  private deliverEvent(data: FakeJiraSiteData, event: string, issue: FakeJiraIssue, comment?: FakeJiraComment): void {
    const subject = { issueKey: issue.key, projectKey: issue.project.key, issueType: issue.issueType.name, status: 'To Do', assignee: null, reporter: JIRA_SANDBOX_USER.accountId };
    const matching = this.webhooksOf(data.site).filter((webhook) => {
      const filter = compileWebhookJql(webhook.jqlFilter);
      return webhook.events.includes(event) && !('error' in filter) && filter.matches(subject);
    });
    for (const url of new Set(matching.map((webhook) => webhook.url))) {
      const webhookIds = matching.filter((webhook) => webhook.url === url).map((webhook) => webhook.id);
      const payload: Record<string, unknown> = {
        timestamp: Date.now(),
        webhookEvent: event,
        ...(event.startsWith('jira:issue_') ? { issue_event_type_name: event.slice('jira:'.length) } : {}),
        user: describeUser(data.site),
        issue: describeIssue(data.site, issue, ['summary', 'issuetype', 'project', 'status', 'priority', 'labels', 'assignee', 'reporter', 'creator', 'created', 'updated', 'description']),
        ...(comment ? { comment: describeComment(data.site, issue, comment) } : {}),
        matchedWebhookIds: webhookIds,
      };
      const delivery: FakeJiraDelivery = { identifier: randomUUID(), cloudId: data.site.id, url, event, webhookIds, body: JSON.stringify(payload), attempts: 0, outcome: 'network-error', delivered: false };
      this.deliveries.push(delivery);
      const sending = this.send(delivery).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  private async send(delivery: FakeJiraDelivery): Promise<void> {
    const delays = this.options.deliveryRetryDelaysMs ?? [50, 200];
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1]);
      delivery.attempts++;
      const now = Math.floor(Date.now() / 1000);
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${signJiraWebhookJwt(this.options.clientSecret, { iat: now, exp: now + 180 })}`,
            'x-atlassian-webhook-identifier': delivery.identifier,
            ...(attempt > 0 ? { 'x-atlassian-webhook-retry': String(attempt) } : {}),
          },
          body: delivery.body,
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer().catch(() => undefined);
        delivery.outcome = response.status;
        if (response.ok) {
          delivery.delivered = true;
          return;
        }
      } catch {
        delivery.outcome = 'network-error';
      }
    }
    this.failedWebhooks.push({ id: delivery.identifier, cloudId: delivery.cloudId, url: delivery.url, body: delivery.body, failureTime: Date.now() });
  }

  /**
   * Registers a Jira route under `/ex/jira/:cloudId/rest/api/3`: the handler runs only for a live access token
   * whose grant includes that site, with the gateway's 401 answers otherwise.
   */
  private jira(app: Express, method: 'get' | 'post' | 'put' | 'delete', path: string, handler: (req: Request, res: Response, data: FakeJiraSiteData) => unknown): void {
    this.handle(app, method, `/ex/jira/:cloudId/rest/api/3${path}`, (req, res) => {
      const grant = this.liveGrant(req);
      if (!grant) return res.status(401).json({ code: 401, message: 'Unauthorized' });
      const site = grant.sites.find((candidate) => candidate.id === req.params['cloudId']);
      if (!site) return res.status(401).json({ code: 401, message: 'Unauthorized; scope does not match' });
      return handler(req, res, this.siteData(site));
    });
  }

  private liveGrant(req: Request): AtlassianGrant | undefined {
    const token = bearerToken(req) ?? '';
    const expiresAt = this.tokenExpiry.get(token);
    if (expiresAt !== undefined && expiresAt <= Date.now()) this.expireToken(token);
    return this.accessTokens.get(token);
  }

  private issue(grant: AtlassianGrant) {
    for (const site of grant.sites) this.siteData(site);
    const accessToken = fakeSecret('eyJfake.', 32);
    const refreshToken = fakeSecret('atl-rt-', 32);
    grant.refreshToken = refreshToken;
    this.accessTokens.set(accessToken, grant);
    this.tokenExpiry.set(accessToken, Date.now() + ACCESS_TOKEN_LIFETIME_S * 1000);
    this.grantsByRefreshToken.set(refreshToken, grant);
    this.grantsByAnyRefreshToken.set(refreshToken, grant);
    return { access_token: accessToken, expires_in: ACCESS_TOKEN_LIFETIME_S, token_type: 'Bearer', refresh_token: refreshToken, scope: grant.scope };
  }
}

/** A fake Jira site named `name` (`https://<name>.atlassian.net`) with its stable cloud id. */
export function jiraSite(name: string): FakeJiraSite {
  return { id: cloudIdFor(name), url: `https://${name}.atlassian.net`, name };
}

/** A stable cloud id per site name, so a re-install of the same site names the same org. */
export function cloudIdFor(siteName: string): string {
  const hex = createHash('sha256').update(`site:${siteName}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `count` sites: `base`, `base-2`, `base-3`, … */
function sitesNamed(base: string, count: number): FakeJiraSite[] {
  return Array.from({ length: count }, (_, i) => jiraSite(i === 0 ? base : `${base}-${i + 1}`));
}

/** `webhookIds` of a refresh or delete body, or undefined when it is not a list of numbers. */
function webhookIdsOf(body: unknown): number[] | undefined {
  const ids = (body as { webhookIds?: unknown } | undefined)?.webhookIds;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'number') ? ids : undefined;
}

/** Search parameters, from a query string or a JSON body. */
interface SearchParams {
  jql?: unknown;
  startAt?: unknown;
  maxResults?: unknown;
  fields?: unknown;
  nextPageToken?: unknown;
}

function addIssue(data: FakeJiraSiteData, project: FakeJiraProject, content: Pick<FakeJiraIssue, 'summary' | 'description' | 'issueType'>, createdAt: number): FakeJiraIssue {
  const number = data.issues.filter((issue) => issue.project.key === project.key).length + 1;
  const created = jiraTime(createdAt);
  const issue: FakeJiraIssue = { id: String(10_001 + data.issues.length), key: `${project.key}-${number}`, project, created, updated: created, comments: [], ...content };
  data.issues.push(issue);
  return issue;
}

/** An issue by id or key; Jira matches keys case-insensitively. */
function findIssue(data: FakeJiraSiteData, idOrKey: unknown): FakeJiraIssue | undefined {
  const wanted = String(idOrKey ?? '').toUpperCase();
  return data.issues.find((issue) => issue.id === wanted || issue.key === wanted);
}

function runQuery(data: FakeJiraSiteData, query: JqlQuery): FakeJiraIssue[] {
  const matches = data.issues.filter((issue) =>
    query.matches({ projectKey: issue.project.key, summary: issue.summary, text: [issue.summary, adfPlainText(issue.description), ...issue.comments.map((c) => adfPlainText(c.body))].join('\n') }),
  );
  const order = query.order;
  return order ? [...matches].sort((a, b) => order.direction * compareBy(order.field, a, b)) : matches;
}

function compareBy(field: 'key' | 'created' | 'updated' | 'summary', a: FakeJiraIssue, b: FakeJiraIssue): number {
  if (field === 'key') return a.project.key.localeCompare(b.project.key) || Number(a.key.split('-')[1]) - Number(b.key.split('-')[1]);
  // Issues made in the same millisecond (seeded ones) keep their creation order.
  return a[field].localeCompare(b[field]) || Number(a.id) - Number(b.id);
}

/**
 * The field names to answer with: a comma list or array as Jira takes `fields`, where `*all` and `*navigable`
 * stand for every field (navigable leaving out comments) and `-name` removes one.
 */
function requestedFields(param: unknown, fallback: '*all' | '*navigable'): string[] {
  const listed = (Array.isArray(param) ? param.map(String) : typeof param === 'string' && param ? param.split(',') : [fallback]).map((name) => name.trim());
  const all = ['summary', 'description', 'issuetype', 'project', 'status', 'priority', 'labels', 'assignee', 'reporter', 'creator', 'created', 'updated', 'comment'];
  const wanted = new Set<string>();
  for (const name of listed) {
    if (name === '*all') all.forEach((field) => wanted.add(field));
    else if (name === '*navigable') all.filter((field) => !NON_NAVIGABLE_FIELDS.includes(field)).forEach((field) => wanted.add(field));
    else if (!name.startsWith('-')) wanted.add(name);
  }
  for (const name of listed) if (name.startsWith('-')) wanted.delete(name.slice(1));
  return [...wanted];
}

function issueSelf(site: FakeJiraSite, issue: FakeJiraIssue): string {
  return `${site.url}/rest/api/3/issue/${issue.id}`;
}

/** An issue as Jira answers it, with the fields asked for (unknown field names are left out, as Jira does). */
function describeIssue(site: FakeJiraSite, issue: FakeJiraIssue, fieldNames: string[]) {
  const all: Record<string, unknown> = {
    summary: issue.summary,
    description: issue.description,
    issuetype: { self: `${site.url}/rest/api/3/issuetype/${issue.issueType.id}`, id: issue.issueType.id, name: issue.issueType.name, description: '', subtask: false, hierarchyLevel: 0 },
    project: { self: `${site.url}/rest/api/3/project/${issue.project.id}`, id: issue.project.id, key: issue.project.key, name: issue.project.name, projectTypeKey: 'software', simplified: true },
    status: {
      self: `${site.url}/rest/api/3/status/10000`,
      id: '10000',
      name: 'To Do',
      description: '',
      statusCategory: { self: `${site.url}/rest/api/3/statuscategory/2`, id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
    },
    priority: { self: `${site.url}/rest/api/3/priority/3`, id: '3', name: 'Medium' },
    labels: [],
    assignee: null,
    reporter: describeUser(site),
    creator: describeUser(site),
    created: issue.created,
    updated: issue.updated,
    comment: {
      comments: issue.comments.map((comment) => describeComment(site, issue, comment)),
      self: `${issueSelf(site, issue)}/comment`,
      maxResults: issue.comments.length,
      total: issue.comments.length,
      startAt: 0,
    },
  };
  const fields = Object.fromEntries(fieldNames.filter((name) => name in all).map((name) => [name, all[name]]));
  return { expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations', id: issue.id, self: issueSelf(site, issue), key: issue.key, fields };
}

function describeComment(site: FakeJiraSite, issue: FakeJiraIssue, comment: FakeJiraComment) {
  const author = describeUser(site);
  return {
    self: `${issueSelf(site, issue)}/comment/${comment.id}`,
    id: comment.id,
    author,
    body: comment.body,
    updateAuthor: author,
    created: comment.created,
    updated: comment.updated,
    jsdPublic: true,
  };
}

function describeUser(site: FakeJiraSite) {
  return {
    self: `${site.url}/rest/api/3/user?accountId=${encodeURIComponent(JIRA_SANDBOX_USER.accountId)}`,
    accountId: JIRA_SANDBOX_USER.accountId,
    accountType: 'atlassian',
    emailAddress: JIRA_SANDBOX_USER.emailAddress,
    avatarUrls: { '48x48': 'https://secure.gravatar.com/avatar/00000000000000000000000000000000?d=identicon' },
    displayName: JIRA_SANDBOX_USER.displayName,
    active: true,
  };
}

/** Jira's timestamp format, e.g. `2026-01-01T00:00:00.000+0000`. */
function jiraTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

function isAdfDocument(value: unknown): boolean {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown } | null;
  return typeof doc === 'object' && doc !== null && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
}

/** A one-paragraph ADF document. */
function adfText(text: string) {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

/** The text nodes of an ADF document, for text search. */
function adfPlainText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const { text, content } = node as { text?: unknown; content?: unknown };
  return [typeof text === 'string' ? text : '', ...(Array.isArray(content) ? content.map(adfPlainText) : [])].filter(Boolean).join(' ');
}

/** Page tokens are opaque to clients; the fake's encode the offset of the next issue. */
function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

function nonNegativeInteger(value: unknown): number | undefined {
  const number = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(number) && number >= 0 ? number : undefined;
}
