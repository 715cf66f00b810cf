import { FakeJiraSite, jiraSite } from '@bot/platform-jira';
import { PassThroughHarness } from '@bot/platforms/testing';
import { randomUUID } from 'node:crypto';

/** A Jira site granted to our app in the fake, and its installation row here. */
export async function installJiraSite(h: PassThroughHarness) {
  const grant = h.sandbox.atlassian.grant([jiraSite(`site-${randomUUID().slice(0, 8)}`)]);
  const site: FakeJiraSite = grant.sites[0];
  const row = await h.seed({
    platform: 'jira',
    externalOrgId: site.id,
    externalOrgName: site.name,
    externalInstallId: null,
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    tokenExpiresAt: new Date(Date.now() + 3600_000),
    oauthGrantId: randomUUID(),
    metadata: { url: site.url },
  });
  return { row, site, token: grant.accessToken };
}
