import { Express } from 'express';
import { createHash } from 'node:crypto';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from './fake-platform';

export interface FakeAtlassianOptions {
  clientId: string;
  clientSecret: string;
}

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

/**
 * Atlassian (auth and API on one server): `/authorize` requiring PKCE S256, `/oauth/token` (JSON) with rotating
 * refresh tokens where an already-used refresh token gives `invalid_grant`, and `accessible-resources`.
 * Authorize page flags: `fake_sites=<n>`, `fake_site=<name>`, `fake_decision=deny`.
 */
export class FakeAtlassian extends FakePlatform {
  private readonly codes = new Map<string, { challenge: string; redirectUri: string; scope: string; sites: FakeJiraSite[] }>();
  /** Live access tokens → their grant. */
  readonly accessTokens = new Map<string, AtlassianGrant>();
  private readonly grantsByRefreshToken = new Map<string, AtlassianGrant>();
  private readonly usedRefreshTokens = new Set<string>();

  constructor(private readonly options: FakeAtlassianOptions) {
    super();
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/authorize', (req, res) => {
      const q = req.query as Record<string, string>;
      if (q['client_id'] !== this.options.clientId || !q['redirect_uri']) return res.status(400).send('Invalid client');
      const fail = (error: string) => res.redirect(302, withQuery(q['redirect_uri'], { error, error_description: error, state: q['state'] }));
      if (q['fake_decision'] === 'deny') return fail('access_denied');
      if (q['audience'] !== 'api.atlassian.com' || q['response_type'] !== 'code') return fail('invalid_request');
      if (q['code_challenge_method'] !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q['code_challenge'] ?? '')) return fail('invalid_request');
      const count = Math.max(0, Math.min(5, Number(q['fake_sites'] ?? 1)));
      const base = q['fake_site'] ?? 'sandbox';
      const sites = Array.from({ length: count }, (_, i) => {
        const name = i === 0 ? base : `${base}-${i + 1}`;
        return { id: uuidFor(name), url: `https://${name}.atlassian.net`, name };
      });
      const code = fakeSecret('', 24);
      this.codes.set(code, { challenge: q['code_challenge'], redirectUri: q['redirect_uri'], scope: q['scope'] ?? '', sites });
      res.redirect(302, withQuery(q['redirect_uri'], { code, state: q['state'] }));
    });

    this.handle(app, 'post', '/oauth/token', (req, res) => {
      if (!req.is('application/json')) return res.status(415).json({ error: 'unsupported_media_type' });
      const body = req.body as Record<string, string>;
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
      const grant = this.accessTokens.get(bearerToken(req) ?? '');
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
  }

  private issue(grant: AtlassianGrant) {
    const accessToken = fakeSecret('eyJfake.', 32);
    const refreshToken = fakeSecret('atl-rt-', 32);
    grant.refreshToken = refreshToken;
    this.accessTokens.set(accessToken, grant);
    this.grantsByRefreshToken.set(refreshToken, grant);
    return { access_token: accessToken, expires_in: 3600, token_type: 'Bearer', refresh_token: refreshToken, scope: grant.scope };
  }
}

/** A stable cloud id per site name, so a re-install of the same site names the same org. */
function uuidFor(name: string): string {
  const hex = createHash('sha256').update(`site:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

