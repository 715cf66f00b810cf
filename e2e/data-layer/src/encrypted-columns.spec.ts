import { ReEncryptionService, createDataSource, tokenCipherFrom } from '@bot/database';
import { DecryptionError } from '@bot/crypto';
import { HealthEventEndpoint, Installation, InstallationRepository, OAuthState } from '@bot/installations';
import { buildInstallation, createTestDatabase, newEncryptionKey, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';

describe('encrypted columns', () => {
  let database: TestDatabase;
  const opened: DataSource[] = [];

  /** A process's view of the database under the given keys (as if started with those variables). */
  const connect = async (current: string, previous: string[] = []) => {
    const config = testConfig('oauth-service', {
      DATABASE_URL: database.url,
      TOKEN_ENCRYPTION_KEY: current,
      TOKEN_ENCRYPTION_PREVIOUS_KEYS: previous.join(',') || undefined,
    });
    const dataSource = await createDataSource(database.url, config).initialize();
    opened.push(dataSource);
    return { dataSource, repository: new InstallationRepository(dataSource), cipher: tokenCipherFrom(config) };
  };
  const raw = (dataSource: DataSource, id: string) =>
    dataSource
      .query(`SELECT access_token, refresh_token, private_key, webhook_secret FROM installations WHERE id = $1`, [id])
      .then((rows: Record<string, string | null>[]) => rows[0]);

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((dataSource) => dataSource.destroy()));
    await database.drop();
  });

  it('round-trips every secret column and stores no plaintext', async () => {
    const key = newEncryptionKey();
    const { dataSource, repository } = await connect(key);
    const secrets = {
      accessToken: 'xoxb-plain-access-token-123',
      refreshToken: 'xoxe-1-plain-refresh-token',
      privateKey: '-----BEGIN PRIVATE KEY-----\nplainkeymaterial\n-----END PRIVATE KEY-----',
      webhookSecret: 'plain-webhook-secret',
    };
    const saved = await repository.insert(buildInstallation({ platform: 'slack', ...secrets }));

    const stored = await raw(dataSource, saved.id);
    for (const [column, value] of Object.entries(stored)) {
      expect(value).toMatch(/^enc:v1:/);
      for (const plaintext of Object.values(secrets)) {
        expect(value).not.toContain(plaintext);
        expect(value).not.toContain(Buffer.from(plaintext).toString('base64'));
      }
      expect(column).toBeTruthy();
    }
    const dump = JSON.stringify(await dataSource.query('SELECT * FROM installations'));
    for (const plaintext of Object.values(secrets)) expect(dump).not.toContain(plaintext);

    expect(await repository.findById(saved.id)).toMatchObject(secrets);
  });

  it('encrypts the PKCE verifier of OAuth states and keeps nulls as nulls', async () => {
    const { dataSource, repository } = await connect(newEncryptionKey());
    const states = dataSource.getRepository(OAuthState);
    const state = await states.save(
      states.create({ state: 'state-abc', platform: 'jira', codeVerifier: 'verifier-plain-text', expiresAt: new Date(Date.now() + 600_000) }),
    );
    const [row] = await dataSource.query('SELECT code_verifier FROM oauth_states WHERE id = $1', [state.id]);
    expect(row.code_verifier).toMatch(/^enc:v1:/);
    expect((await states.findOneByOrFail({ id: state.id })).codeVerifier).toBe('verifier-plain-text');

    const bare = await repository.insert(buildInstallation({ accessToken: null, refreshToken: null }));
    expect(await raw(dataSource, bare.id)).toEqual({ access_token: null, refresh_token: null, private_key: null, webhook_secret: null });
  });

  it('a tampered column fails to load with a clear error instead of returning garbage', async () => {
    const { dataSource, repository } = await connect(newEncryptionKey());
    const saved = await repository.insert(buildInstallation());
    const { access_token } = await raw(dataSource, saved.id);
    const [prefix, data] = [access_token!.slice(0, access_token!.lastIndexOf(':') + 1), access_token!.slice(access_token!.lastIndexOf(':') + 1)];
    const bytes = Buffer.from(data, 'base64url');
    bytes[bytes.length - 20] ^= 0xff;
    await dataSource.query('UPDATE installations SET access_token = $1 WHERE id = $2', [prefix + bytes.toString('base64url'), saved.id]);

    await expect(repository.findById(saved.id)).rejects.toThrow(DecryptionError);
    await expect(repository.findById(saved.id)).rejects.toThrow(/failed authentication/);
  });

  it('a row under an unknown key fails with an error naming the key problem', async () => {
    const writer = await connect(newEncryptionKey());
    const saved = await writer.repository.insert(buildInstallation());
    const reader = await connect(newEncryptionKey());
    await expect(reader.repository.findById(saved.id)).rejects.toThrow(/neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS/);
  });

  it('rotation: old rows read under the previous key; re-encryption moves every row to the current key and is safe to re-run', async () => {
    const oldKey = newEncryptionKey();
    const newKey = newEncryptionKey();
    const before = await connect(oldKey);
    const rows = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        before.repository.insert(
          buildInstallation({
            platform: 'jira',
            accessToken: `access-${i}`,
            refreshToken: `refresh-${i}`,
            webhookSecret: i % 2 ? `hook-${i}` : null,
            privateKey: null,
          }),
        ),
      ),
    );
    await before.dataSource.getRepository(OAuthState).save({ state: 'rotating-state', platform: 'jira', codeVerifier: 'v', expiresAt: new Date(Date.now() + 60_000) });
    const endpoint = await before.dataSource.getRepository(HealthEventEndpoint).save({ url: 'https://ops.example.com/hooks', source: 'api', secret: 'whsec_rotating' });

    const after = await connect(newKey, [oldKey]);
    expect((await after.repository.findById(rows[3].id))?.refreshToken).toBe('refresh-3');

    // A row written after the switch is already current; the job must leave it alone.
    const fresh = await after.repository.insert(buildInstallation({ accessToken: 'fresh' }));
    const freshBefore = await raw(after.dataSource, fresh.id);

    const report = await new ReEncryptionService(after.dataSource, after.cipher).reEncryptAll(3);
    expect(report.rows).toEqual({ installations: 7, oauth_states: 1, health_event_endpoints: 1 });
    expect(report.keyId).toBe(after.cipher.currentKeyId);
    expect(await raw(after.dataSource, fresh.id)).toEqual(freshBefore);

    const stale = await after.dataSource.query(
      `SELECT count(*)::int AS n FROM installations
       WHERE (access_token IS NOT NULL AND access_token NOT LIKE $1) OR (refresh_token IS NOT NULL AND refresh_token NOT LIKE $1)
          OR (webhook_secret IS NOT NULL AND webhook_secret NOT LIKE $1)`,
      [`enc:v1:${after.cipher.currentKeyId.replace(/_/g, '\\_')}:%`],
    );
    expect(stale).toEqual([{ n: 0 }]);

    // The old key can now be dropped from the ring entirely.
    const onlyNew = await connect(newKey);
    for (const [i, row] of rows.entries()) {
      expect(await onlyNew.repository.findById(row.id)).toMatchObject({ accessToken: `access-${i}`, refreshToken: `refresh-${i}` });
    }
    expect(await onlyNew.dataSource.getRepository(OAuthState).findOneByOrFail({ state: 'rotating-state' })).toMatchObject({ codeVerifier: 'v' });
    expect(await onlyNew.dataSource.getRepository(HealthEventEndpoint).findOneByOrFail({ id: endpoint.id })).toMatchObject({ secret: 'whsec_rotating' });

    const again = await new ReEncryptionService(onlyNew.dataSource, onlyNew.cipher).reEncryptAll();
    expect(again.rows).toEqual({ installations: 0, oauth_states: 0, health_event_endpoints: 0 });
  });

  it('re-encryption stops with an error naming the row when a value cannot be decrypted', async () => {
    const stranger = await connect(newEncryptionKey());
    const orphan = await stranger.repository.insert(buildInstallation());
    const current = await connect(newEncryptionKey());
    await expect(new ReEncryptionService(current.dataSource, current.cipher).reEncryptAll()).rejects.toThrow(
      new RegExp(`installations.access_token of row ${orphan.id}`),
    );
  });

  it('Installation columns that hold secrets are exactly the encrypted ones', async () => {
    const { dataSource } = await connect(newEncryptionKey());
    const encrypted = dataSource
      .getMetadata(Installation)
      .columns.filter((column) => column.transformer)
      .map((column) => column.databaseName)
      .sort();
    expect(encrypted).toEqual(['access_token', 'private_key', 'refresh_token', 'webhook_secret']);
  });
});
