import { AppConfig, AppConfigModule } from '@bot/config';
import { createDataSource, DatabaseModule } from '@bot/database';
import { Installation, InstallationRepository } from '@bot/installations';
import { GitHubClient } from '@bot/platform-github';
import { JiraClient } from '@bot/platform-jira';
import { SentryClient } from '@bot/platform-sentry';
import { SlackClient } from '@bot/platform-slack';
import { ApiAppPlatformClientsModule, PlatformClientsModule } from '@bot/platforms';
import { jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, buildInstallation, createTestDatabase, newEncryptionKey, startAppProcess, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Module({})
class ClientsTestModule {
  static forRoot(config: AppConfig) {
    return { module: ClientsTestModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), PlatformClientsModule] };
  }
}

@Module({})
class ApiAppClientsTestModule {
  static forRoot(config: AppConfig) {
    return { module: ApiAppClientsTestModule, imports: [AppConfigModule.forRoot(config), ApiAppPlatformClientsModule] };
  }
}

/** The typed clients code in this repo uses to call the platforms as an installation. */
describe('typed platform clients', () => {
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let context: INestApplicationContext;
  const seed = (values: Partial<Installation>) => context.get(InstallationRepository).insert(buildInstallation(values));

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    const config = testConfig('github-api', { DATABASE_URL: database.url, ...sandbox.env });
    context = await NestFactory.createApplicationContext(ClientsTestModule.forRoot(config), { logger: ['error'] });
    await context.init();
  });
  afterAll(async () => {
    await context.close();
    await sandbox.stop();
    await database.drop();
  });

  it('GitHubClient follows Link pages, creates issues and comments, and re-mints after a 401', async () => {
    const installation = sandbox.github.install('typed-client-org');
    const minted = sandbox.github.mintToken(installation.id);
    const row = await seed({ platform: 'github', externalOrgId: String(installation.account.id), externalInstallId: String(installation.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) });
    sandbox.github.seedIssues('typed-client-org', 'demo', 12);
    const github = context.get(GitHubClient).forInstallation(row.id);
    expect(await github.listIssues('typed-client-org', 'demo', { perPage: 5 })).toHaveLength(12);
    sandbox.github.expireToken(minted.token);
    const issue = await github.createIssue('typed-client-org', 'demo', { title: 'from the typed client' });
    expect(issue.title).toBe('from the typed client');
    expect((await github.createIssueComment('typed-client-org', 'demo', issue.number, 'hello')).body).toBe('hello');
    await expect(github.createIssue('not-this-installation', 'demo', { title: 'x' })).rejects.toMatchObject({ name: 'PlatformApiError', status: 404 });
  });

  it('SlackClient posts, lists every channel across cursor pages, reacts; Slack errors become PlatformApiError', async () => {
    const granted = sandbox.slack.grantBotToken('T0TYPED');
    const row = await seed({ platform: 'slack', externalOrgId: 'T0TYPED', externalInstallId: null, accessToken: granted.accessToken, tokenExpiresAt: null });
    const slack = context.get(SlackClient).forInstallation(row.id);
    const general = sandbox.slack.channelId('T0TYPED', 'general');
    const posted = await slack.postMessage(general, 'typed hello');
    await slack.addReaction(general, posted.ts, 'eyes');
    expect((await slack.listChannels(2)).map((channel) => channel.name)).toHaveLength(7);
    await expect(slack.postMessage('C0NOTMINE', 'x')).rejects.toMatchObject({ message: 'slack chat.postMessage failed: channel_not_found' });
  });

  it('JiraClient works on the installation\'s own site', async () => {
    const grant = sandbox.atlassian.grant([jiraSite('typed-client-site')]);
    const row = await seed({ platform: 'jira', externalOrgId: grant.sites[0].id, externalInstallId: null, accessToken: grant.accessToken, refreshToken: grant.refreshToken, tokenExpiresAt: new Date(Date.now() + 3600_000) });
    const jira = context.get(JiraClient).forInstallation(row.id);
    const created = await jira.createIssue('SBX', 'typed issue', { description: 'details' });
    expect((await jira.getIssue(created.key)).fields).toMatchObject({ summary: 'typed issue' });
    expect((await jira.addComment(created.key, 'typed comment')).id).toBeTruthy();
    expect((await jira.search('summary ~ "typed"')).map((issue) => issue.key)).toEqual([created.key]);
    expect(sandbox.atlassian.calls.filter((call) => call.path.startsWith(`/ex/jira/${grant.sites[0].id}/`)).every((call) => call.headers['authorization'] === `Bearer ${grant.accessToken}`)).toBe(true);
  });

  it('SentryClient follows Link cursors until results="false", reads events, resolves issues, and refreshes after a 401', async () => {
    const granted = sandbox.sentry.grant('typed-client-org');
    const row = await seed({ platform: 'sentry', externalOrgId: 'typed-client-org', externalInstallId: granted.installation.uuid, accessToken: granted.token, refreshToken: granted.refreshToken, tokenExpiresAt: granted.expiresAt });
    sandbox.sentry.seedIssues('typed-client-org', 9);
    const sentry = context.get(SentryClient).forInstallation(row.id, 'typed-client-org');
    const issues = await sentry.listIssues({ perPage: 5 });
    expect(issues).toHaveLength(12);
    expect(sandbox.sentry.callsTo('GET /api/0/organizations/:org/issues/')).toHaveLength(3);
    expect((await sentry.listProjects()).map((project) => project.slug)).toEqual(['sandbox-project']);
    expect((await sentry.listIssueEvents(issues[0].id))[0]).toMatchObject({ groupID: issues[0].id });
    sandbox.sentry.expireToken(granted.token);
    expect(await sentry.updateIssueStatus(issues[0].id, 'resolved')).toEqual({ status: 'resolved', statusDetails: {} });
    expect((await sentry.getIssue(issues[0].id)).status).toBe('resolved');
    await expect(sentry.getIssue('1')).rejects.toMatchObject({ name: 'PlatformApiError', status: 404 });
  });
});

/** The same clients through the API apps (real processes), in the prefix form with the service key only. */
describe('typed platform clients through the API apps', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let dataSource: DataSource;
  let apps: AppProcess[] = [];
  let context: INestApplicationContext;
  const seed = (values: Partial<Installation>) => new InstallationRepository(dataSource).insert(buildInstallation(values));

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    const env = { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey, ...sandbox.env };
    apps = await Promise.all((['github-api', 'slack-api', 'jira-api', 'sentry-api'] as const).map((app) => startAppProcess(app, env)));
    dataSource = await createDataSource(database.url, testConfig('github-api', env), 2).initialize();
    // No DATABASE_URL for the clients: they only know where the apps are and the service key.
    const config = testConfig('oauth-service', { GITHUB_API_PUBLIC_URL: apps[0].url, SLACK_API_PUBLIC_URL: apps[1].url, JIRA_API_PUBLIC_URL: apps[2].url, SENTRY_API_PUBLIC_URL: apps[3].url });
    context = await NestFactory.createApplicationContext(ApiAppClientsTestModule.forRoot(config), { logger: ['error'] });
    await context.init();
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await Promise.all(apps.map((app) => app.stop()));
    await dataSource?.destroy();
    await sandbox?.stop();
    await database?.drop();
  });

  it('GitHubClient, SlackClient and JiraClient work through /installations/{id}/...; refusals become PlatformApiError', async () => {
    const installation = sandbox.github.install('via-app-org');
    const minted = sandbox.github.mintToken(installation.id);
    const github = await seed({ platform: 'github', externalOrgId: String(installation.account.id), externalInstallId: String(installation.id), accessToken: minted.token, tokenExpiresAt: new Date(minted.expiresAt) });
    sandbox.github.seedIssues('via-app-org', 'demo', 7);
    const gh = context.get(GitHubClient).forInstallation(github.id);
    expect(await gh.listIssues('via-app-org', 'demo', { perPage: 3 })).toHaveLength(7);
    expect((await gh.createIssue('via-app-org', 'demo', { title: 'through github-api' })).title).toBe('through github-api');
    const pages = sandbox.github.calls.filter((call) => call.path === '/repos/via-app-org/demo/issues' && call.method === 'GET');
    expect(pages).toHaveLength(3);
    expect(new Set(pages.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${minted.token}`]));

    const granted = sandbox.slack.grantBotToken('T0VIAAPP');
    const slack = await seed({ platform: 'slack', externalOrgId: 'T0VIAAPP', externalInstallId: null, accessToken: granted.accessToken, tokenExpiresAt: null });
    const sl = context.get(SlackClient).forInstallation(slack.id);
    await sl.postMessage(sandbox.slack.channelId('T0VIAAPP', 'general'), 'through slack-api');
    expect((await sl.listChannels(2)).length).toBeGreaterThan(2);

    const grant = sandbox.atlassian.grant([jiraSite('via-app-site')]);
    const jira = await seed({ platform: 'jira', externalOrgId: grant.sites[0].id, externalInstallId: null, accessToken: grant.accessToken, refreshToken: grant.refreshToken, tokenExpiresAt: new Date(Date.now() + 3600_000) });
    const ji = context.get(JiraClient).forInstallation(jira.id);
    const created = await ji.createIssue('SBX', 'through jira-api');
    expect((await ji.search('summary ~ "through jira-api"')).map((issue) => issue.key)).toEqual([created.key]);

    // Sentry's Link pages come back under sentry-api's /installations/{id} prefix, so following them stays on it.
    const sentryGrant = sandbox.sentry.grant('via-app-org');
    const sentry = await seed({ platform: 'sentry', externalOrgId: 'via-app-org', externalInstallId: sentryGrant.installation.uuid, accessToken: sentryGrant.token, refreshToken: sentryGrant.refreshToken, tokenExpiresAt: sentryGrant.expiresAt });
    sandbox.sentry.seedIssues('via-app-org', 4);
    const se = context.get(SentryClient).forInstallation(sentry.id, 'via-app-org');
    expect(await se.listIssues({ perPage: 2 })).toHaveLength(7);
    const sentryPages = sandbox.sentry.callsTo('GET /api/0/organizations/:org/issues/').filter((call) => call.path === '/api/0/organizations/via-app-org/issues/');
    expect(sentryPages.map((call) => call.query['cursor'])).toEqual([undefined, '0:2:0', '0:4:0', '0:6:0']);
    expect(new Set(sentryPages.map((call) => call.headers['authorization']))).toEqual(new Set([`Bearer ${sentryGrant.token}`]));

    const unknown = '00000000-0000-4000-8000-0000000000cc';
    await expect(context.get(SlackClient).forInstallation(unknown).postMessage('C1', 'x')).rejects.toMatchObject({ name: 'PlatformApiError', message: 'slack chat.postMessage failed: installation_not_found' });
    await expect(context.get(JiraClient).forInstallation(unknown).getIssue('SBX-1')).rejects.toMatchObject({ name: 'PlatformApiError', status: 404, body: { code: 'installation_not_found' } });
    await expect(context.get(SentryClient).forInstallation(unknown, 'via-app-org').getIssue('1')).rejects.toMatchObject({ name: 'PlatformApiError', status: 404, body: { detail: expect.any(String), code: 'installation_not_found' } });
  }, 60_000);
});
