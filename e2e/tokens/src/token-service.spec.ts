import { AppConfig, AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { AuditEventRepository, Installation, InstallationRepository } from '@bot/installations';
import { jiraSite } from '@bot/platform-jira';
import { PlatformSandbox, PlatformsModule, startPlatformSandbox } from '@bot/platforms';
import { buildInstallation, createTestDatabase, TestDatabase, testConfig } from '@bot/testing';
import { TokenError, TokenService, TokenUsageRecorder, TokensModule } from '@bot/tokens';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';

@Module({})
class TokenServiceTestModule {
  static forRoot(config: AppConfig) {
    return { module: TokenServiceTestModule, imports: [AppConfigModule.forRoot(config), DatabaseModule.forRoot(), PlatformsModule, TokensModule] };
  }
}

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
/** Polls until `check` holds (10 s at most). */
const eventually = async (check: () => Promise<boolean> | boolean) => {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('TokenService against real PostgreSQL and the fake platforms', () => {
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  let context: INestApplicationContext;
  let tokens: TokenService;
  let installations: InstallationRepository;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
    const config = testConfig('jira-api', { DATABASE_URL: database.url, UPSTREAM_TIMEOUT_MS: '400', ...sandbox.env });
    context = await NestFactory.createApplicationContext(TokenServiceTestModule.forRoot(config), { logger: ['error'] });
    await context.init();
    tokens = context.get(TokenService);
    installations = context.get(InstallationRepository);
    pool = new Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await context.close();
    await pool.end();
    await sandbox.stop();
    await database.drop();
  });

  const sql = async <T = Record<string, unknown>>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[];
  const seed = (values: Partial<Installation>) => installations.insert(buildInstallation(values));
  const tokenCalls = () => sandbox.atlassian.callsTo('POST /oauth/token').filter((call) => (call.body as Record<string, string>)['grant_type'] === 'refresh_token').length;
  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as TokenError;
    }
    throw new Error('expected a rejection');
  };

  /** Two Jira sites of one grant, as the oauth-service stores a consent covering both. */
  const seedJiraGrant = async (expiresAt: Date, sites = 2) => {
    const grant = sandbox.atlassian.grant(Array.from({ length: sites }, () => jiraSite(`site-${randomUUID().slice(0, 8)}`)));
    const oauthGrantId = randomUUID();
    const rows = [];
    for (const site of grant.sites) {
      rows.push(
        await seed({
          platform: 'jira',
          externalOrgId: site.id,
          externalInstallId: null,
          accessToken: grant.accessToken,
          refreshToken: grant.refreshToken,
          tokenExpiresAt: expiresAt,
          oauthGrantId,
          metadata: { url: site.url },
        }),
      );
    }
    return { grant, rows };
  };

  it('serves a fresh token from the database, then from memory until a change notification arrives', async () => {
    const { grant, rows } = await seedJiraGrant(minutesFromNow(60), 1);
    const first = await tokens.getToken(rows[0].id, { platform: 'jira' });
    expect(first).toMatchObject({ installationId: rows[0].id, accessToken: grant.accessToken, externalOrgId: grant.sites[0].id, refreshable: true });

    // A write that announces nothing is not seen: the token comes from memory.
    await context.get(DataSource).getRepository(Installation).update(rows[0].id, { accessToken: 'replaced-without-notify' });
    expect((await tokens.getToken(rows[0].id)).accessToken).toBe(grant.accessToken);

    // The NOTIFY every writer sends drops it.
    await sql(`SELECT pg_notify('installation_changed', $1)`, [rows[0].id]);
    await settle();
    expect((await tokens.getToken(rows[0].id)).accessToken).toBe('replaced-without-notify');
    expect(tokenCalls()).toBe(0);
  });

  it('a lost LISTEN connection switches the cache off until the listener has resubscribed, re-registered and started empty', async () => {
    const { grant, rows } = await seedJiraGrant(minutesFromNow(60), 1);
    const installations = context.get(DataSource).getRepository(Installation);
    expect((await tokens.getToken(rows[0].id)).accessToken).toBe(grant.accessToken);
    const [registered] = await sql<{ id: string }>(`SELECT id FROM token_cache_listeners WHERE pid = $1`, [process.pid]);
    expect(registered).toBeDefined();

    // Waits (up to 5 s) until the backend is gone, so no heartbeat of the old connection is written after cutOffAt.
    await sql(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jira-api:listen'`);
    const [{ at: cutOffAt }] = await sql<{ at: Date }>(`SELECT clock_timestamp() AS at`);
    // Changes made while nobody listens are not announced to this process; it must not serve from memory.
    await installations.update(rows[0].id, { accessToken: 'changed-while-deaf' });
    await eventually(async () => (await tokens.getToken(rows[0].id)).accessToken === 'changed-while-deaf');

    // Back: subscribed again, heartbeating, and caching again (a silent write is not seen).
    await eventually(async () => (await sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jira-api:listen'`)).length === 1);
    await eventually(async () => (await sql(`SELECT 1 FROM token_cache_listeners WHERE id = $1 AND heartbeat_at > $2`, [registered.id, cutOffAt])).length === 1);
    // The row is written before this process has handled the answer and renewed its lease.
    await settle();
    await tokens.getToken(rows[0].id);
    await installations.update(rows[0].id, { accessToken: 'silent-after-reconnect' });
    expect((await tokens.getToken(rows[0].id)).accessToken).toBe('changed-while-deaf');
  });

  it('refreshes an expiring Jira token once for concurrent callers and stores the rotated tokens on every site of the grant', async () => {
    const { grant, rows } = await seedJiraGrant(minutesFromNow(2));
    const before = tokenCalls();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => tokens.getToken(rows[i % 2].id, { platform: 'jira' })));
    expect(tokenCalls() - before).toBe(1);
    const fresh = results[0].accessToken;
    expect(fresh).not.toBe(grant.accessToken);
    expect(new Set(results.map((token) => token.accessToken))).toEqual(new Set([fresh]));

    const stored = await Promise.all(rows.map((r) => installations.findById(r.id)));
    const rotated = sandbox.atlassian.currentRefreshToken(grant.refreshToken);
    for (const row of stored) {
      expect(row).toMatchObject({ accessToken: fresh, refreshToken: rotated, status: 'active' });
      expect(row!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
    }
    expect(rotated).not.toBe(grant.refreshToken);
    // Encrypted at rest: the raw column holds neither token.
    const raw = await sql<{ access_token: string; refresh_token: string }>(`SELECT access_token, refresh_token FROM installations WHERE id = $1`, [rows[0].id]);
    expect(raw[0].access_token).toMatch(/^enc:v1:/);
    expect(JSON.stringify(raw)).not.toContain(fresh);
    const audit = await context.get(AuditEventRepository).forInstallation(rows[1].id);
    expect(audit.map((event) => event.event)).toContain('token.refreshed');
    expect(JSON.stringify(audit)).not.toContain(fresh);
  });

  it('invalid_grant marks every installation of the grant as needing re-install, with the reason, and names the installation', async () => {
    const { rows } = await seedJiraGrant(minutesFromNow(-1));
    sandbox.atlassian.revokeGrant(rows[0].refreshToken as string);
    const error = await rejection(tokens.getToken(rows[0].id));
    expect(error).toBeInstanceOf(TokenError);
    expect(error.code).toBe('installation_needs_reinstall');
    expect(error.message).toContain(rows[0].id);
    expect(error.message).toMatch(/invalid_grant/);
    const stored = await sql<{ status: string; status_reason: string }>(`SELECT status, status_reason FROM installations WHERE id = ANY($1) ORDER BY id`, [rows.map((r) => r.id)]);
    expect(stored).toEqual([
      { status: 'needs_reinstall', status_reason: expect.stringMatching(/invalid_grant/) },
      { status: 'needs_reinstall', status_reason: expect.stringMatching(/invalid_grant/) },
    ]);
    // Later callers are refused without another call to Atlassian.
    const calls = tokenCalls();
    await expect(tokens.getToken(rows[1].id)).rejects.toMatchObject({ code: 'installation_needs_reinstall' });
    expect(tokenCalls()).toBe(calls);
  });

  describe('health events', () => {
    const healthEvents = (ids: string[]) =>
      sql<{ type: string; installation_id: string; org_id: string; data: Record<string, unknown> }>(
        `SELECT type, installation_id, org_id, data FROM health_events WHERE installation_id = ANY($1) ORDER BY installation_id, type`,
        [ids],
      );

    it('invalid_grant emits installation.needs_reinstall once per installation of the grant that it broke, with the reason', async () => {
      const { rows } = await seedJiraGrant(minutesFromNow(-1), 3);
      // One site of the grant was marked already (an earlier refusal): it is not reported again.
      await sql(`UPDATE installations SET status = 'needs_reinstall', status_reason = 'earlier' WHERE id = $1`, [rows[2].id]);
      sandbox.atlassian.revokeGrant(rows[0].refreshToken as string);
      await rejection(tokens.getToken(rows[0].id));
      await rejection(tokens.getToken(rows[0].id));
      await rejection(tokens.getToken(rows[1].id));
      const ids = rows.map((row) => row.id);
      expect(await healthEvents(ids)).toEqual(
        [rows[0], rows[1]]
          .map((row) => ({ type: 'installation.needs_reinstall', installation_id: row.id, org_id: row.externalOrgId, data: { reason: expect.stringMatching(/invalid_grant/) } }))
          .sort((a, b) => a.installation_id.localeCompare(b.installation_id)),
      );
    });

    it('a refresh failing after its retries emits token.refresh_failed with the attempt count, at most once per window; a success emits nothing', async () => {
      const { rows } = await seedJiraGrant(minutesFromNow(-1), 1);
      sandbox.atlassian.failNext('POST /oauth/token', { status: 503 }, 6);
      await rejection(tokens.getToken(rows[0].id));
      await rejection(tokens.getToken(rows[0].id));
      expect(await healthEvents([rows[0].id])).toEqual([
        { type: 'token.refresh_failed', installation_id: rows[0].id, org_id: rows[0].externalOrgId, data: { attempts: 3, transient: true, reason: expect.stringContaining('503') } },
      ]);
      // Both failures are in the audit trail; only the first was worth a notification.
      expect(await sql(`SELECT count(*)::int AS n FROM audit_events WHERE installation_id = $1 AND event = 'token.refresh_failed'`, [rows[0].id])).toEqual([{ n: 2 }]);
      await tokens.getToken(rows[0].id);
      expect(await healthEvents([rows[0].id])).toHaveLength(1);
    });
  });

  it('a refresh that times out on every attempt leaves the stored tokens untouched; a later call succeeds', async () => {
    const { rows } = await seedJiraGrant(minutesFromNow(-1), 1);
    const rawBefore = await sql(`SELECT access_token, refresh_token, token_expires_at, status FROM installations WHERE id = $1`, [rows[0].id]);
    sandbox.atlassian.failNext('POST /oauth/token', 'timeout', 3);
    const before = tokenCalls();
    const error = await rejection(tokens.getToken(rows[0].id));
    expect(error.code).toBe('token_refresh_unavailable');
    expect(error.message).toMatch(/timed out/);
    expect(tokenCalls() - before).toBe(3);
    expect(await sql(`SELECT access_token, refresh_token, token_expires_at, status FROM installations WHERE id = $1`, [rows[0].id])).toEqual(rawBefore);

    const recovered = await tokens.getToken(rows[0].id);
    expect(recovered.accessToken).not.toBe(rows[0].accessToken);
    expect((await installations.findById(rows[0].id))!.accessToken).toBe(recovered.accessToken);
  });

  it('a 5xx on a refresh ahead of expiry keeps serving the token that still works', async () => {
    const { rows } = await seedJiraGrant(minutesFromNow(3), 1);
    sandbox.atlassian.failNext('POST /oauth/token', { status: 503 }, 3);
    const token = await tokens.getToken(rows[0].id);
    expect(token.accessToken).toBe(rows[0].accessToken);
    expect((await installations.findById(rows[0].id))!.refreshToken).toBe(rows[0].refreshToken);
  });

  it('GitHub: mints an installation token with the app JWT and stores it with its expiry', async () => {
    const account = sandbox.github.install(`mint-org-${randomUUID().slice(0, 8)}`);
    const row = await seed({ platform: 'github', externalOrgId: String(account.account.id), externalInstallId: String(account.id), accessToken: null, tokenExpiresAt: null });
    const token = await tokens.getToken(row.id, { platform: 'github' });
    expect(sandbox.github.tokens.get(token.accessToken)).toBe(account.id);
    const stored = await installations.findById(row.id);
    expect(stored!.accessToken).toBe(token.accessToken);
    expect(stored!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
  });

  it('GitHub: a 404 for the installation while minting marks it as needing re-install', async () => {
    const row = await seed({ platform: 'github', externalInstallId: '987654321', accessToken: 'ghs_expired', tokenExpiresAt: minutesFromNow(-5) });
    await expect(tokens.getToken(row.id)).rejects.toMatchObject({ code: 'installation_needs_reinstall' });
    expect((await installations.findById(row.id))!.status).toBe('needs_reinstall');
  });

  it('refuses unknown, revoked and other-platform installations with clear errors', async () => {
    const missing = randomUUID();
    await expect(tokens.getToken(missing)).rejects.toMatchObject({ code: 'installation_not_found', message: expect.stringContaining(missing) });
    const slack = await seed({ platform: 'slack', externalInstallId: null, tokenExpiresAt: null, accessToken: 'xoxb-1-abc' });
    await expect(tokens.getToken(slack.id, { platform: 'github' })).rejects.toMatchObject({ code: 'installation_platform_mismatch' });
    await tokens.getToken(slack.id, { platform: 'slack' }); // cached now
    await context.get(DataSource).transaction((manager) => installations.revoke(slack.id, 'revoked by the test', manager));
    await settle();
    await expect(tokens.getToken(slack.id, { platform: 'slack' })).rejects.toMatchObject({ code: 'installation_revoked' });
    const org = await seed({ platform: 'slack', externalInstallId: null, tokenExpiresAt: null, accessToken: 'xoxb-1-org' });
    await expect(tokens.getTokenByOrg('slack', org.externalOrgId)).resolves.toMatchObject({ installationId: org.id, accessToken: 'xoxb-1-org' });
  });

  it('writes last_used_at in batches and never moves it backwards', async () => {
    const row = await seed({ platform: 'slack', externalInstallId: null, tokenExpiresAt: null });
    const usage = context.get(TokenUsageRecorder);
    for (let i = 0; i < 50; i++) usage.record({ installationId: row.id, platform: 'slack', method: 'POST', path: '/api/chat.postMessage', status: 200 });
    expect((await sql(`SELECT last_used_at FROM installations WHERE id = $1`, [row.id]))[0]['last_used_at']).toBeNull();
    await usage.flush();
    const [{ last_used_at }] = await sql<{ last_used_at: Date }>(`SELECT last_used_at FROM installations WHERE id = $1`, [row.id]);
    expect(Date.now() - last_used_at.getTime()).toBeLessThan(10_000);
    const used = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE installation_id = $1 AND event = 'token.used'`, [row.id]);
    expect(used[0].n).toBe(50);
  });

  it('Sentry: concurrent callers share one locked refresh; the rotated pair is stored together; a spent grant means re-install', async () => {
    const granted = sandbox.sentry.grant(`tokens-${randomUUID().slice(0, 8)}`);
    const row = await seed({
      platform: 'sentry',
      externalOrgId: granted.installation.orgSlug,
      externalInstallId: granted.installation.uuid,
      accessToken: granted.token,
      refreshToken: granted.refreshToken,
      tokenExpiresAt: minutesFromNow(2),
    });
    const refreshes = () => sandbox.sentry.callsTo('POST /api/0/sentry-app-installations/:uuid/authorizations/').filter((call) => call.path.includes(granted.installation.uuid)).length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken(row.id, { platform: 'sentry' })));
    expect(new Set(answers.map((answer) => answer.accessToken)).size).toBe(1);
    expect(answers[0].accessToken).not.toBe(granted.token);
    expect(refreshes()).toBe(1);
    const stored = await installations.findById(row.id);
    expect(stored).toMatchObject({ accessToken: answers[0].accessToken, refreshToken: sandbox.sentry.currentRefreshToken(granted.installation.uuid) });
    expect(stored!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 7.9 * 3600_000);

    // The grant is gone at Sentry (the stored refresh token no longer exists there): needs_reinstall, tokens kept.
    await sql(`UPDATE installations SET token_expires_at = now() - interval '1 minute' WHERE id = $1`, [row.id]);
    await sql(`SELECT pg_notify('installation_changed', $1)`, [row.id]);
    await sandbox.sentry.uninstall(granted.installation.uuid);
    await settle();
    const failure = await rejection(tokens.getToken(row.id, { platform: 'sentry' }));
    expect(failure).toMatchObject({ code: 'installation_needs_reinstall' });
    const after = await installations.findById(row.id);
    expect(after).toMatchObject({ status: 'needs_reinstall', statusReason: expect.stringMatching(/Sentry token refresh failed with HTTP 404.*\(invalid_grant\)/), refreshToken: stored!.refreshToken });
  });
});
