import { INSTALLATION_STATUSES, InstallationRepository, PLATFORMS } from '@bot/installations';
import { buildInstallation, scrapeMetrics } from '@bot/testing';
import { InstallationStatusGauges } from '../src/installations/installation-status.gauges';
import { OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

describe('oauth-service: installations by status, read from PostgreSQL', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService();
  });
  afterAll(() => h.close());

  it('bot_installations counts every platform × status, zero where there is none', async () => {
    const installations = h.app.get(InstallationRepository);
    for (const [platform, status, org] of [
      ['jira', 'active', 'site-a'],
      ['jira', 'needs_reinstall', 'site-b'],
      ['jira', 'needs_reinstall', 'site-c'],
      ['slack', 'revoked', 'T0GONE'],
    ] as const) {
      await installations.insert(buildInstallation({ platform, status, externalOrgId: org, revokedAt: status === 'revoked' ? new Date() : null }));
    }
    const gauges = h.app.get(InstallationStatusGauges);
    await gauges.refresh();
    const before = await scrapeMetrics(h.url);
    const count = (metrics: typeof before, platform: string, status: string) => metrics.value('bot_installations', { app: 'oauth-service', platform, status });
    expect(count(before, 'jira', 'active')).toBe(1);
    expect(count(before, 'jira', 'needs_reinstall')).toBe(2);
    expect(count(before, 'slack', 'revoked')).toBe(1);
    expect(count(before, 'github', 'active')).toBe(0);
    expect(count(before, 'sentry', 'active')).toBe(0);
    expect(before.samples.filter((sample) => sample.name === 'bot_installations')).toHaveLength(PLATFORMS.length * INSTALLATION_STATUSES.length);
    expect(PLATFORMS.length * INSTALLATION_STATUSES.length).toBe(16);

    await h.sql(`UPDATE installations SET status = 'needs_reinstall' WHERE external_org_id = 'site-a'`);
    await gauges.refresh();
    expect(count(await scrapeMetrics(h.url), 'jira', 'needs_reinstall')).toBe(3);
  });
});
