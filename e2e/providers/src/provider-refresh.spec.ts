import { AppConfig } from '@bot/config';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { GitHubAppJwtSigner, GitHubAppProvider } from '@bot/platform-github';
import { JiraOAuthProvider } from '@bot/platform-jira';
import { SentryIntegrationProvider } from '@bot/platform-sentry';
import { SlackOAuthProvider } from '@bot/platform-slack';
import { Clock, PlatformHttpClient, UpstreamError } from '@bot/providers';
import { testConfig } from '@bot/testing';

/** Refresh and mint paths of the providers against the fakes (the TokenService builds on these). */
describe('provider refresh against the fakes', () => {
  let sandbox: PlatformSandbox;
  let config: AppConfig;
  const http = new PlatformHttpClient();
  const clock = new Clock();

  beforeAll(async () => {
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9', slackRotation: true });
    config = testConfig('oauth-service', { ...sandbox.env, BASE_URL: 'http://127.0.0.1:9', UPSTREAM_TIMEOUT_MS: '500' });
  });
  afterAll(() => sandbox.stop());

  /** Runs the fake Jira consent and code exchange; returns the first grant's credentials. */
  const jiraInstall = async (jira: JiraOAuthProvider) => {
    let verifier: string | undefined;
    const authorizeUrl = await jira.authorizationUrl(async (v) => {
      verifier = v;
      return 'state-for-test-0123456789';
    });
    const approval = await fetch(authorizeUrl, { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;
    const [site] = await jira.completeInstall({ code, codeVerifier: verifier, redirectUri: 'http://127.0.0.1:9/oauth/callback/jira' });
    return site;
  };

  it('Jira: refresh rotates the refresh token; presenting the old one again is invalid_grant', async () => {
    const jira = new JiraOAuthProvider(config, http, clock);
    const site = await jiraInstall(jira);
    const first = await jira.refresh({ externalInstallId: null, accessToken: site.accessToken ?? null, refreshToken: site.refreshToken ?? null });
    expect(first.refreshToken).not.toBe(site.refreshToken);
    expect(first.accessToken).not.toBe(site.accessToken);
    expect(first.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(sandbox.atlassian.callsTo('POST /oauth/token').at(-1)!.body).toMatchObject({ grant_type: 'refresh_token', client_id: 'sandbox-jira-client' });

    const reuse = jira.refresh({ externalInstallId: null, accessToken: null, refreshToken: site.refreshToken ?? null });
    await expect(reuse).rejects.toBeInstanceOf(UpstreamError);
    await expect(jira.refresh({ externalInstallId: null, accessToken: null, refreshToken: site.refreshToken ?? null })).rejects.toMatchObject({
      providerError: 'invalid_grant',
      status: 403,
    });
    // The rotated token still works.
    await expect(jira.refresh({ externalInstallId: null, accessToken: null, refreshToken: first.refreshToken ?? null })).resolves.toMatchObject({
      accessToken: expect.any(String),
    });
  });

  it('Jira: a refresh that times out is a timeout failure, not invalid_grant', async () => {
    const jira = new JiraOAuthProvider(config, http, clock);
    const site = await jiraInstall(jira);
    sandbox.atlassian.failNext('POST /oauth/token', 'timeout');
    await expect(jira.refresh({ externalInstallId: null, accessToken: null, refreshToken: site.refreshToken ?? null })).rejects.toMatchObject({ failure: 'timeout' });
  });

  it('Slack with rotation: refresh gives a new bot token; a spent refresh token is invalid_refresh_token', async () => {
    const slack = new SlackOAuthProvider(config, http, clock);
    const authorizeUrl = await slack.authorizationUrl(async () => 'state-for-test-0123456789');
    const approval = await fetch(authorizeUrl, { redirect: 'manual' });
    const code = new URL(approval.headers.get('location') as string).searchParams.get('code') as string;
    const [team] = await slack.completeInstall({ code, redirectUri: new URL(authorizeUrl).searchParams.get('redirect_uri') as string });
    const refreshed = await slack.refresh({ externalInstallId: null, accessToken: null, refreshToken: team.refreshToken ?? null });
    expect(refreshed.accessToken).toMatch(/^xoxe\.xoxb-/);
    expect(sandbox.slack.botTokens.has(refreshed.accessToken)).toBe(true);
    await expect(slack.refresh({ externalInstallId: null, accessToken: null, refreshToken: team.refreshToken ?? null })).rejects.toMatchObject({
      failure: 'rejected',
      providerError: 'invalid_refresh_token',
    });
  });

  it('GitHub: refresh mints a new installation token with the app JWT; an unknown installation is a 404 failure', async () => {
    const github = new GitHubAppProvider(config, http, new GitHubAppJwtSigner(config, clock));
    const installation = sandbox.github.install('refresh-org');
    const minted = await github.refresh({ externalInstallId: String(installation.id), accessToken: null, refreshToken: null });
    expect(sandbox.github.tokens.get(minted.accessToken)).toBe(installation.id);
    await expect(github.refresh({ externalInstallId: '999999', accessToken: null, refreshToken: null })).rejects.toMatchObject({ failure: 'http', status: 404 });
  });

  it('Sentry: exchange, then refresh rotates (the old access and refresh tokens die at once); a spent refresh token is invalid_grant, a 5xx is not', async () => {
    const sentry = new SentryIntegrationProvider(config, http, clock);
    const approval = await fetch(await sentry.authorizationUrl(async () => 'state-for-test-0123456789'), { redirect: 'manual' });
    const query = new URL(approval.headers.get('location') as string).searchParams;
    const [org] = await sentry.completeInstall({ code: query.get('code')!, installationId: query.get('installationId')!, organization: query.get('orgSlug')!, redirectUri: 'unused' });
    const stored = { externalInstallId: org.externalInstallId ?? null, accessToken: org.accessToken ?? null, refreshToken: org.refreshToken ?? null };

    const refreshed = await sentry.refresh(stored);
    expect(refreshed.refreshToken).not.toBe(stored.refreshToken);
    expect(refreshed.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 7.9 * 3600_000);
    const orgPath = `${sandbox.sentry.url}/api/0/organizations/${org.externalOrgId}/`;
    expect((await fetch(orgPath, { headers: { authorization: `Bearer ${stored.accessToken}` } })).status).toBe(401);
    expect((await fetch(orgPath, { headers: { authorization: `Bearer ${refreshed.accessToken}` } })).status).toBe(200);

    const spent = await sentry.refresh(stored).catch((error: UpstreamError) => error);
    expect(spent).toMatchObject({ status: 401, providerError: 'invalid_grant', message: 'Sentry token refresh failed with HTTP 401: Token does not exist (invalid_grant)' });
    expect(sentry.grantRevoked(spent as UpstreamError)).toBe(true);

    sandbox.sentry.failNext('POST /api/0/sentry-app-installations/:uuid/authorizations/', { status: 503, body: { detail: 'Service unavailable' } });
    const unavailable = await sentry.refresh({ ...stored, refreshToken: refreshed.refreshToken ?? null }).catch((error: UpstreamError) => error);
    expect(unavailable).toMatchObject({ failure: 'http', status: 503 });
    expect(sentry.grantRevoked(unavailable as UpstreamError)).toBe(false);

    // A wrong client secret is a configuration problem, not a lost grant.
    const misconfigured = new SentryIntegrationProvider(testConfig('oauth-service', { ...sandbox.env, SENTRY_CLIENT_SECRET: 'wrong' }), http, clock);
    const refused = await misconfigured.refresh({ ...stored, refreshToken: refreshed.refreshToken ?? null }).catch((error: UpstreamError) => error);
    expect(refused).toMatchObject({ status: 401, providerError: undefined });
  });
});
