import { AppConfigModule } from '@bot/config';
import { DatabaseModule } from '@bot/database';
import { INSTALLATION_CHANGED_CHANNEL } from '@bot/installations';
import { PlatformsModule } from '@bot/platforms';
import { TokenService, TokensModule } from '@bot/tokens';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, GatewayHarness, githubExample, json, startGateway } from './support/api-gateway.harness';

describe('GitHub installation lifecycle through webhooks', () => {
  let gateway: GatewayHarness;
  let listener: Client;
  const notified: string[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    listener = new Client({ connectionString: gateway.database.url });
    await listener.connect();
    listener.on('notification', (message) => message.channel === INSTALLATION_CHANGED_CHANNEL && notified.push(message.payload ?? ''));
    await listener.query(`LISTEN ${INSTALLATION_CHANGED_CHANNEL}`);
  });
  afterAll(async () => {
    await listener?.end();
    await gateway?.close();
  });

  const audit = async (installationId: string) =>
    (await gateway.sql<{ event: string; actor: string | null }>(`SELECT event, actor FROM audit_events WHERE installation_id = $1 ORDER BY id`, [installationId])).map(
      (row) => `${row.event}:${row.actor}`,
    );
  /** The published example of an installation event, for one org of its own. */
  const installationEvent = (action: string, accountId: number, installId: number) => {
    const payload = githubExample('installation', action);
    payload.installation.id = installId;
    payload.installation.account = { ...payload.installation.account, id: accountId, login: `org-${accountId}` };
    return payload;
  };

  it('installation.created stores the installation (no token: it is minted on demand) and the task names it', async () => {
    const payload = installationEvent('created', 7001, 9001);
    const response = await gateway.github('installation', payload);
    expect(response.status).toBe(200);

    const [row] = await gateway.sql<Record<string, unknown>>(`SELECT * FROM installations WHERE platform = 'github' AND external_install_id = '9001'`);
    expect(row).toMatchObject({
      status: 'active',
      external_org_id: '7001',
      external_org_name: 'org-7001',
      access_token: null,
      permissions: payload.installation.permissions,
      installed_by: payload.sender.login,
    });
    expect(row['scopes']).toEqual(expect.arrayContaining(['issues:write', 'metadata:read']));
    expect(row['metadata']).toMatchObject({ repository_selection: 'selected', repositories: [{ id: 186853002, full_name: 'Codertocat/Hello-World', private: false }] });
    const [task] = (await gateway.tasks()).filter((candidate) => candidate.external_install_id === '9001');
    expect(task).toMatchObject({ installation_id: row['id'], event_type: 'installation', action: 'created', external_org_id: '7001' });
    expect(await audit(row['id'] as string)).toEqual([`installation.installed:${payload.sender.login}`]);
  });

  it('a redelivered installation.created changes nothing twice', async () => {
    const payload = installationEvent('created', 7002, 9002);
    const deliveryId = randomUUID();
    await gateway.github('installation', payload, { deliveryId });
    const again = await gateway.github('installation', payload, { deliveryId });
    expect(await json(again)).toMatchObject({ duplicate: true });
    const [row] = await gateway.sql<{ id: string }>(`SELECT id FROM installations WHERE external_install_id = '9002'`);
    expect(await audit(row.id)).toEqual(['installation.installed:Codertocat']);
  });

  it('installation.deleted revokes, erases the tokens, NOTIFYs, and answers only once the TokenService refuses it', async () => {
    const installation = await gateway.addInstallation({ platform: 'github', externalOrgId: '7003', externalInstallId: '9003' });
    const tokens = await tokenServiceOn(gateway);
    try {
      // Cached by the TokenService before the uninstall, as an API app would have it.
      expect((await tokens.get(TokenService).getToken(installation.id)).accessToken).toBe(installation.accessToken);

      const response = await gateway.github('installation', installationEvent('deleted', 7003, 9003));
      expect(response.status).toBe(200);
      // The answer waited for this process's token caches: the stand-in for an API app (it registered as a listener
      // like one does) and the gateway's own (its Jira webhook renewal job uses the TokenService).
      expect(await json(response)).toMatchObject({
        ok: true,
        token_caches: { confirmed: true, acknowledged: [expect.objectContaining({ pid: process.pid }), expect.objectContaining({ pid: process.pid })], lease_expired: [] },
      });
      await expect(tokens.get(TokenService).getToken(installation.id)).rejects.toMatchObject({ code: 'installation_revoked' });
      const row = await gateway.installation(installation.id);
      expect(row).toMatchObject({ status: 'revoked', accessToken: null, refreshToken: null, privateKey: null, webhookSecret: null, statusReason: 'uninstalled on GitHub by octocat' });
      expect(row?.revokedAt).toBeInstanceOf(Date);
      await eventually(() => notified.includes(installation.id));
      expect((await gateway.tasks()).filter((task) => task.installation_id === installation.id)).toEqual([expect.objectContaining({ action: 'deleted' })]);
      expect(await audit(installation.id)).toEqual(['installation.revoked:octocat']);
    } finally {
      await tokens.close();
    }
  });

  it('suspend and unsuspend round trip: suspended with a reason, then active again; each announced and audited', async () => {
    const installation = await gateway.addInstallation({ platform: 'github', externalOrgId: '7004', externalInstallId: '9004' });
    notified.length = 0;
    const suspended = await gateway.github('installation', installationEvent('suspend', 7004, 9004));
    expect(await json(suspended)).toMatchObject({ ok: true, token_caches: { confirmed: true } });
    expect(await gateway.installation(installation.id)).toMatchObject({ status: 'suspended', statusReason: 'suspended on GitHub by Codertocat' });
    await eventually(() => notified.includes(installation.id));

    notified.length = 0;
    const unsuspended = await gateway.github('installation', installationEvent('unsuspend', 7004, 9004));
    // Lifting a suspension ends nobody's access: nothing to wait for.
    expect(await json(unsuspended)).not.toHaveProperty('token_caches');
    expect(await gateway.installation(installation.id)).toMatchObject({ status: 'active', statusReason: null, accessToken: installation.accessToken });
    await eventually(() => notified.includes(installation.id));
    expect(await audit(installation.id)).toEqual(['installation.suspended:Codertocat', 'installation.unsuspended:Codertocat']);
  });

  it('new_permissions_accepted refreshes permissions and scopes from the payload', async () => {
    const installation = await gateway.addInstallation({ platform: 'github', externalOrgId: '7005', externalInstallId: '9005', permissions: { issues: 'read' }, scopes: ['issues:read'] });
    const payload = installationEvent('new_permissions_accepted', 7005, 9005);
    await gateway.github('installation', payload);
    const row = await gateway.installation(installation.id);
    expect(row?.permissions).toEqual(payload.installation.permissions);
    expect(row?.scopes).toEqual(Object.entries(payload.installation.permissions).map(([name, level]) => `${name}:${level}`));
    expect(await audit(installation.id)).toEqual(['installation.permissions_updated:Codertocat']);
  });

  it('installation_repositories keeps the repository list in metadata', async () => {
    const installation = await gateway.addInstallation({
      platform: 'github',
      externalOrgId: '7006',
      externalInstallId: '9006',
      metadata: { account_type: 'Organization', repositories: [{ id: 1, full_name: 'org/old', private: true }] },
    });
    const added = githubExample('installation_repositories', 'added');
    added.installation.id = 9006;
    await gateway.github('installation_repositories', added);
    const removed = githubExample('installation_repositories', 'removed');
    removed.installation.id = 9006;
    removed.repositories_removed = [{ id: 1, node_id: 'x', name: 'old', full_name: 'org/old', private: true }];
    await gateway.github('installation_repositories', removed);

    const row = await gateway.installation(installation.id);
    expect(row?.metadata).toEqual({
      account_type: 'Organization',
      repository_selection: 'selected',
      repositories: added.repositories_added.map((repository: { id: number; full_name: string; private: boolean }) => ({ id: repository.id, full_name: repository.full_name, private: repository.private })),
    });
    expect(await audit(installation.id)).toEqual(['installation.repositories_changed:Codertocat', 'installation.repositories_changed:octocat']);
  });

  it('github_app_authorization revoked is audited and queued; no installation changes', async () => {
    const before = await gateway.sql(`SELECT id, status, updated_at FROM installations ORDER BY id`);
    const response = await gateway.github('github_app_authorization', githubExample('github_app_authorization', 'revoked'));
    expect(response.status).toBe(200);
    expect(await gateway.sql(`SELECT id, status, updated_at FROM installations ORDER BY id`)).toEqual(before);
    expect(await gateway.sql(`SELECT event, actor, installation_id FROM audit_events WHERE event = 'github.user_authorization_revoked'`)).toEqual([
      { event: 'github.user_authorization_revoked', actor: 'octocat', installation_id: null },
    ]);
    expect((await gateway.tasks()).filter((task) => task.event_type === 'github_app_authorization')).toEqual([expect.objectContaining({ action: 'revoked', installation_id: null })]);
  });
});

/** A TokenService as the API apps run it (cache + LISTEN invalidation), on the gateway's database. */
async function tokenServiceOn(gateway: GatewayHarness): Promise<INestApplicationContext> {
  @Module({ imports: [AppConfigModule.forRoot(gateway.config), DatabaseModule.forRoot(), PlatformsModule, TokensModule] })
  class TokenHost {}
  const context = await NestFactory.createApplicationContext(TokenHost, { logger: ['error'] });
  await context.init();
  return context;
}
