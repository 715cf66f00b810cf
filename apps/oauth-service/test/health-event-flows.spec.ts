import { signIn } from './support/console.harness';
import { json, OAuthServiceHarness, startOAuthService } from './support/oauth-service.harness';

interface EventRow {
  type: string;
  platform: string;
  installation_id: string;
  org_id: string;
  org_name: string;
  data: Record<string, unknown>;
}

/**
 * The health events of oauth-service's own flows (install, re-install, recovery, revoke), each written in the
 * flow's transaction. No endpoint is registered, so the outbox keeps every event to be looked at.
 */
describe('health events of installs and revokes', () => {
  let h: OAuthServiceHarness;

  beforeAll(async () => {
    h = await startOAuthService({ ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
  }, 60_000);
  afterAll(() => h.close());
  beforeEach(() => h.sql('DELETE FROM health_events'));

  const events = () => h.sql<EventRow>('SELECT type, platform, installation_id, org_id, org_name, data FROM health_events ORDER BY occurred_at, type');
  const install = async (platform: 'github' | 'slack' | 'jira', params: Record<string, string>) => json(h.callback(await h.approve(platform, params)));

  it('an install emits installation.created once; installing the same org again emits installation.reinstalled', async () => {
    const { installation_id: id } = await install('slack', { fake_team: 'T0EVENTS01' });
    expect(await events()).toEqual([
      {
        type: 'installation.created',
        platform: 'slack',
        installation_id: id,
        org_id: 'T0EVENTS01',
        org_name: 'Workspace T0EVENTS01',
        data: { installed_by: 'U0INSTALLER', scopes: expect.arrayContaining(['chat:write']) },
      },
    ]);
    await h.sql('DELETE FROM health_events');
    expect((await install('slack', { fake_team: 'T0EVENTS01' })).installation_id).toBe(id);
    expect((await events()).map((event) => [event.type, event.installation_id, event.data['previous_status']])).toEqual([['installation.reinstalled', id, 'active']]);
  });

  it('revoke emits installation.revoked once (API and console alike); re-installing a revoked org is a re-install, not a recovery', async () => {
    const { installation_id: api } = await install('github', { fake_account: 'events-api' });
    const { installation_id: console } = await install('github', { fake_account: 'events-console' });
    await h.sql('DELETE FROM health_events');

    expect((await h.admin('DELETE', `/oauth/installations/${api}`)).status).toBe(200);
    expect((await h.admin('DELETE', `/oauth/installations/${api}`)).status).toBe(200);
    const operator = await signIn(h);
    await operator.post(`/admin/installations/${console}/revoke`);
    await operator.post(`/admin/installations/${console}/revoke`);
    expect((await events()).map((event) => [event.type, event.installation_id, event.org_name, event.data])).toEqual([
      ['installation.revoked', api, 'events-api', { reason: 'revoked by an administrator', source: 'admin', provider_revoked: true }],
      ['installation.revoked', console, 'events-console', { reason: 'revoked by an administrator', source: 'admin', provider_revoked: true }],
    ]);

    await h.sql('DELETE FROM health_events');
    expect((await install('github', { fake_account: 'events-api' })).installation_id).toBe(api);
    expect((await events()).map((event) => [event.type, event.data['previous_status']])).toEqual([['installation.reinstalled', 'revoked']]);
  });

  it('re-installing an installation that needs it emits installation.reinstalled and installation.recovered, once each', async () => {
    const { installation_ids: sites } = await install('jira', { fake_site: 'recover', fake_sites: '2' });
    // As the TokenService leaves a grant whose refresh token Atlassian refused.
    await h.sql(`UPDATE installations SET status = 'needs_reinstall', status_reason = 'invalid_grant' WHERE id = ANY($1)`, [sites]);
    await h.sql('DELETE FROM health_events');

    const again = await install('jira', { fake_site: 'recover', fake_sites: '2' });
    expect([...again.installation_ids].sort()).toEqual([...sites].sort());
    const rows = await events();
    for (const site of sites) {
      expect(rows.filter((row) => row.installation_id === site).map((row) => [row.type, row.data['previous_status']]).sort()).toEqual([
        ['installation.recovered', 'needs_reinstall'],
        ['installation.reinstalled', 'needs_reinstall'],
      ]);
    }
    expect(rows).toHaveLength(4);
    expect(await h.sql(`SELECT DISTINCT status FROM installations WHERE id = ANY($1)`, [sites])).toEqual([{ status: 'active' }]);
  });

  it('an install whose transaction rolls back emits nothing', async () => {
    // The audit insert is the flow's last write, after its event was appended: failing it rolls everything back.
    await h.sql(`
      CREATE FUNCTION refuse_install_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event = 'installation.installed' THEN RAISE EXCEPTION 'audit store unavailable'; END IF;
        RETURN NEW;
      END $$`);
    await h.sql(`CREATE TRIGGER refuse_install_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_install_audit()`);
    try {
      const response = await h.callback(await h.approve('slack', { fake_team: 'T0ROLLBACK' }));
      expect(response.status).toBe(500);
      expect(await h.sql(`SELECT id FROM installations WHERE external_org_id = 'T0ROLLBACK'`)).toEqual([]);
      expect(await events()).toEqual([]);
    } finally {
      await h.sql('DROP TRIGGER refuse_install_audit ON audit_events');
      await h.sql('DROP FUNCTION refuse_install_audit()');
    }
    // The same install, once the failure is gone, emits its event.
    await install('slack', { fake_team: 'T0ROLLBACK' });
    expect((await events()).map((event) => [event.type, event.org_id])).toEqual([['installation.created', 'T0ROLLBACK']]);
  });
});
