import { createTestDatabase, TestDatabase } from '@bot/testing';
import { Client, Pool } from 'pg';
import { HEALTH_EVENT_APPENDED_CHANNEL, HealthEventOutbox, installationUpsertEvents } from './health-event.outbox';

const installation = { id: '3c2f7f4e-6f6e-4a8e-9d61-0d7a9b3e2c10', platform: 'github', externalOrgId: '4242', externalOrgName: 'octo' };

describe('HealthEventOutbox on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  const outbox = new HealthEventOutbox();

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 3 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });
  beforeEach(() => pool.query('DELETE FROM health_events'));

  const inTransaction = async (work: (client: Client) => Promise<void>, commit: boolean) => {
    const client = (await pool.connect()) as unknown as Client & { release(): void };
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    } finally {
      client.release();
    }
  };

  it('an event appended in a transaction that rolls back never exists; one that commits does, and wakes dispatchers at commit', async () => {
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (message) => notified.push(message.channel));
    await listener.query(`LISTEN ${HEALTH_EVENT_APPENDED_CHANNEL}`);
    try {
      await inTransaction((client) => outbox.append(client, { type: 'installation.revoked', installation, data: { reason: 'rolled back' } }), false);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await pool.query('SELECT count(*)::int AS n FROM health_events')).rows).toEqual([{ n: 0 }]);
      expect(notified).toEqual([]);

      await inTransaction(async (client) => {
        await outbox.append(client, { type: 'installation.revoked', installation, data: { reason: 'committed' } });
        // Not visible (and not announced) to anyone else before the commit.
        expect((await pool.query('SELECT count(*)::int AS n FROM health_events')).rows).toEqual([{ n: 0 }]);
      }, true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(notified).toEqual([HEALTH_EVENT_APPENDED_CHANNEL]);
      const rows = (await pool.query('SELECT type, platform, installation_id, org_id, org_name, data, fanned_out_at FROM health_events')).rows;
      expect(rows).toEqual([{ type: 'installation.revoked', platform: 'github', installation_id: installation.id, org_id: '4242', org_name: 'octo', data: { reason: 'committed' }, fanned_out_at: null }]);
    } finally {
      await listener.end();
    }
  });

  it('appends several events in one statement, and an event with no installation keeps the platform and org it names', async () => {
    await outbox.appendAll(pool, [
      ...installationUpsertEvents(installation, { status: 'needs_reinstall', externalInstallId: null }, { scopes: ['issues:write'] }),
      { type: 'webhook.dead_lettered', installation: null, platform: 'slack', org: { id: 'T0UNROUTED', name: null }, data: { task_id: '7' } },
    ]);
    const rows = (await pool.query('SELECT type, platform, installation_id, org_id, data FROM health_events ORDER BY type')).rows;
    expect(rows).toEqual([
      { type: 'installation.recovered', platform: 'github', installation_id: installation.id, org_id: '4242', data: { scopes: ['issues:write'], previous_status: 'needs_reinstall' } },
      { type: 'installation.reinstalled', platform: 'github', installation_id: installation.id, org_id: '4242', data: { scopes: ['issues:write'], previous_status: 'needs_reinstall' } },
      { type: 'webhook.dead_lettered', platform: 'slack', installation_id: null, org_id: 'T0UNROUTED', data: { task_id: '7' } },
    ]);
  });

  it('installationUpsertEvents: created for a new row, reinstalled for an existing one, recovered only after needs_reinstall', () => {
    const types = (previous: { status: string; externalInstallId: string | null } | null, subject = installation) => installationUpsertEvents(subject, previous).map((event) => event.type);
    expect(types(null)).toEqual(['installation.created']);
    expect(types({ status: 'revoked', externalInstallId: null })).toEqual(['installation.reinstalled']);
    expect(types({ status: 'active', externalInstallId: null })).toEqual(['installation.reinstalled']);
    expect(types({ status: 'needs_reinstall', externalInstallId: null })).toEqual(['installation.reinstalled', 'installation.recovered']);
    // GitHub's callback and installation webhook report the same install: the second is no re-install.
    const github = { ...installation, externalInstallId: '555' };
    expect(types({ status: 'active', externalInstallId: '555' }, github)).toEqual([]);
    expect(types({ status: 'active', externalInstallId: '554' }, github)).toEqual(['installation.reinstalled']);
    expect(types({ status: 'revoked', externalInstallId: '555' }, github)).toEqual(['installation.reinstalled']);
  });

  it('appendUnlessRecent appends once per installation and type within the window', async () => {
    const event = { type: 'token.refresh_failed' as const, installation, data: { attempts: 3 } };
    await outbox.appendUnlessRecent(pool, event, 60_000);
    await outbox.appendUnlessRecent(pool, event, 60_000);
    await outbox.appendUnlessRecent(pool, { ...event, installation: { ...installation, id: '3c2f7f4e-6f6e-4a8e-9d61-0d7a9b3e2c11' } }, 60_000);
    expect((await pool.query(`SELECT installation_id FROM health_events ORDER BY installation_id`)).rows.map((row) => row.installation_id)).toEqual([
      installation.id,
      '3c2f7f4e-6f6e-4a8e-9d61-0d7a9b3e2c11',
    ]);
    await pool.query(`UPDATE health_events SET occurred_at = now() - interval '2 minutes'`);
    await outbox.appendUnlessRecent(pool, event, 60_000);
    expect((await pool.query(`SELECT count(*)::int AS n FROM health_events WHERE installation_id = $1`, [installation.id])).rows).toEqual([{ n: 2 }]);
  });
});
