import { Express, Request } from 'express';
import { bearerToken, FakePlatform, fakeSecret, withQuery } from './fake-platform';

export interface FakeSlackOptions {
  clientId: string;
  clientSecret: string;
  /** Token rotation on: bot tokens expire and come with refresh tokens. */
  rotation?: boolean;
}

interface SlackGrant {
  teamId: string;
  teamName: string;
  enterprise: { id: string; name: string } | null;
  enterpriseInstall: boolean;
  scope: string;
  userId: string;
}

/**
 * Slack: the v2 authorize page, `oauth.v2.access` (codes and, with rotation, refresh tokens), `auth.revoke`,
 * `team.info`. Authorize page flags: `fake_team=<id>`, `fake_enterprise_install=1`, `fake_decision=deny`.
 */
export class FakeSlack extends FakePlatform {
  rotation: boolean;
  private readonly codes = new Map<string, SlackGrant & { redirectUri: string }>();
  /** Live bot tokens → the grant they belong to. */
  readonly botTokens = new Map<string, SlackGrant>();
  private readonly refreshTokens = new Map<string, SlackGrant>();

  constructor(private readonly options: FakeSlackOptions) {
    super();
    this.rotation = Boolean(options.rotation);
  }

  protected routes(app: Express): void {
    this.handle(app, 'get', '/oauth/v2/authorize', (req, res) => {
      const redirectUri = String(req.query['redirect_uri'] ?? '');
      const state = req.query['state'] as string | undefined;
      if (req.query['client_id'] !== this.options.clientId || !redirectUri) {
        return res.status(400).send('Invalid client_id parameter');
      }
      if (req.query['fake_decision'] === 'deny') return res.redirect(302, withQuery(redirectUri, { error: 'access_denied', state }));
      const teamId = String(req.query['fake_team'] ?? 'T0SANDBOX1');
      const enterpriseInstall = req.query['fake_enterprise_install'] === '1';
      const code = fakeSecret('', 18);
      this.codes.set(code, {
        teamId,
        teamName: `Workspace ${teamId}`,
        enterprise: enterpriseInstall ? { id: 'E0SANDBOX1', name: 'Sandbox Enterprise' } : null,
        enterpriseInstall,
        scope: String(req.query['scope'] ?? ''),
        userId: 'U0INSTALLER',
        redirectUri,
      });
      res.redirect(302, withQuery(redirectUri, { code, state }));
    });

    this.handle(app, 'post', '/api/oauth.v2.access', (req, res) => {
      const body = req.body as Record<string, string>;
      const [clientId, clientSecret] = this.clientCredentials(req);
      if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
        return res.json({ ok: false, error: 'invalid_client_id' });
      }
      if (body['grant_type'] === 'refresh_token') {
        const grant = this.refreshTokens.get(body['refresh_token']);
        if (!grant) return res.json({ ok: false, error: 'invalid_refresh_token' });
        this.refreshTokens.delete(body['refresh_token']);
        return res.json(this.issue(grant));
      }
      const grant = this.codes.get(body['code']);
      if (!grant) return res.json({ ok: false, error: 'invalid_code' });
      this.codes.delete(body['code']);
      if (body['redirect_uri'] && body['redirect_uri'] !== grant.redirectUri) return res.json({ ok: false, error: 'bad_redirect_uri' });
      res.json(this.issue(grant));
    });

    this.handle(app, 'post', '/api/auth.revoke', (req, res) => {
      const token = bearerToken(req) ?? (req.body as Record<string, string>)['token'];
      if (!token || !this.botTokens.has(token)) return res.json({ ok: false, error: 'invalid_auth' });
      this.botTokens.delete(token);
      res.json({ ok: true, revoked: true });
    });

    for (const method of ['get', 'post'] as const) {
      this.handle(app, method, '/api/team.info', (req, res) => {
        const grant = this.botTokens.get(bearerToken(req) ?? '');
        if (!grant) return res.json({ ok: false, error: 'invalid_auth' });
        res.json({
          ok: true,
          team: { id: grant.teamId, name: grant.teamName, domain: grant.teamId.toLowerCase(), email_domain: '', icon: { image_132: 'https://a.slack-edge.com/80588/img/avatars-teams/ava_0001-132.png' }, enterprise_id: grant.enterprise?.id, enterprise_name: grant.enterprise?.name },
        });
      });
    }
  }

  private issue(grant: SlackGrant) {
    const accessToken = this.rotation ? fakeSecret('xoxe.xoxb-1-') : fakeSecret('xoxb-1-');
    this.botTokens.set(accessToken, grant);
    const answer: Record<string, unknown> = {
      ok: true,
      app_id: 'A0SANDBOX01',
      authed_user: { id: grant.userId },
      scope: grant.scope,
      token_type: 'bot',
      access_token: accessToken,
      bot_user_id: 'U0BOTUSER01',
      team: grant.enterpriseInstall ? null : { id: grant.teamId, name: grant.teamName },
      enterprise: grant.enterprise,
      is_enterprise_install: grant.enterpriseInstall,
    };
    if (this.rotation) {
      const refreshToken = fakeSecret('xoxe-1-');
      this.refreshTokens.set(refreshToken, grant);
      answer['expires_in'] = 43_200;
      answer['refresh_token'] = refreshToken;
    }
    return answer;
  }

  /** Slack takes client credentials as HTTP Basic auth or as form fields. */
  private clientCredentials(req: Request): [string | undefined, string | undefined] {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':');
      return [id, secret];
    }
    const body = req.body as Record<string, string>;
    return [body['client_id'], body['client_secret']];
  }
}
