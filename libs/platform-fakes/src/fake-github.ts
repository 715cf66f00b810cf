import { Express, Request, Response } from 'express';
import { createPublicKey, KeyObject, verify } from 'node:crypto';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from './fake-platform';

export interface FakeGitHubOptions {
  appId: string;
  appSlug: string;
  /** Public half of the app's private key; app JWTs are verified against it. */
  publicKey: string | KeyObject;
  /** The GitHub App's setup URL (where GitHub sends the browser after an install); settable once known. */
  setupUrl?: string;
}

export interface FakeGitHubInstallation {
  id: number;
  account: { login: string; id: number; type: 'Organization' | 'User' };
  permissions: Record<string, string>;
  repository_selection: 'all' | 'selected';
  suspended: boolean;
}

const DOCS = 'https://docs.github.com/rest';

/**
 * GitHub (web and REST API on one server): the install page, app-JWT-authenticated installation endpoints and
 * installation access tokens. Install page flags: `fake_account=<login>`, `fake_decision=deny`.
 */
export class FakeGitHub extends FakePlatform {
  readonly installations = new Map<number, FakeGitHubInstallation>();
  /** Installation token → installation id, for the API endpoints that check who is calling. */
  readonly tokens = new Map<string, number>();
  private readonly publicKey: KeyObject;
  private nextInstallationId = 40_000_001;
  private nextAccountId = 9_100_001;

  constructor(readonly options: FakeGitHubOptions) {
    super();
    this.publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  }

  /** The installation of an account, creating it as an install would. */
  install(login: string): FakeGitHubInstallation {
    const existing = [...this.installations.values()].find((i) => i.account.login === login);
    if (existing) return existing;
    const installation: FakeGitHubInstallation = {
      id: this.nextInstallationId++,
      account: { login, id: this.nextAccountId++, type: 'Organization' },
      permissions: { contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', members: 'read' },
      repository_selection: 'all',
      suspended: false,
    };
    this.installations.set(installation.id, installation);
    return installation;
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
      const token = fakeSecret('ghs_', 27);
      this.tokens.set(token, installation.id);
      res.status(201).json({
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: installation.permissions,
        repository_selection: installation.repository_selection,
      });
    });

    this.handle(app, 'delete', '/app/installations/:id', (req, res) => {
      const installation = this.authorisedInstallation(req, res);
      if (!installation) return;
      this.installations.delete(installation.id);
      for (const [token, id] of this.tokens) if (id === installation.id) this.tokens.delete(token);
      res.status(204).end();
    });
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
    if (!this.validAppJwt(bearerToken(req))) {
      res.status(401).json({ message: 'A JSON web token could not be decoded', documentation_url: DOCS });
      return undefined;
    }
    const installation = this.installations.get(Number(req.params['id']));
    if (!installation) {
      res.status(404).json({ message: 'Not Found', documentation_url: DOCS, status: '404' });
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
