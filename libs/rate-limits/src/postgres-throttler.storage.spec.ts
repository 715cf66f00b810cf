import { createDataSource } from '@bot/database';
import { createTestDatabase, TestDatabase, testConfig } from '@bot/testing';
import { DataSource } from 'typeorm';
import { PostgresThrottlerStorage } from './postgres-throttler.storage';
import { RateLimitHitRepository } from './rate-limit-hit.repository';
import { SharedThrottlerStorage } from './shared-throttler.storage';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresThrottlerStorage', () => {
  let database: TestDatabase;
  // Two pools stand in for two replicas: the count must be exact across them.
  let replicaA: DataSource;
  let replicaB: DataSource;
  let storageA: PostgresThrottlerStorage;
  let storageB: PostgresThrottlerStorage;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testConfig('oauth-service', { DATABASE_URL: database.url });
    replicaA = await createDataSource(database.url, config, 8).initialize();
    replicaB = await createDataSource(database.url, config, 8).initialize();
    storageA = new PostgresThrottlerStorage(new RateLimitHitRepository(replicaA), 0);
    storageB = new PostgresThrottlerStorage(new RateLimitHitRepository(replicaB), 0);
  });
  afterAll(async () => {
    await replicaA.destroy();
    await replicaB.destroy();
    await database.drop();
  });

  it('200 concurrent hits from two replicas on one key: each sees its own count, exactly `limit` pass', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? storageA : storageB).increment('storm', 60_000, 50, 60_000, 'oauth')),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(50);
    const counts = results.map((result) => result.totalHits).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const result of results.filter((r) => r.isBlocked)) {
      expect(result.totalHits).toBeGreaterThan(50);
      expect(result.timeToBlockExpire).toBeGreaterThan(0);
      expect(result.timeToBlockExpire).toBeLessThanOrEqual(60);
    }
  });

  it('keys and throttler names count separately', async () => {
    await storageA.increment('client-1', 60_000, 1, 60_000, 'oauth');
    expect((await storageB.increment('client-2', 60_000, 1, 60_000, 'oauth')).isBlocked).toBe(false);
    expect((await storageB.increment('client-1', 60_000, 1, 60_000, 'login')).isBlocked).toBe(false);
    expect((await storageB.increment('client-1', 60_000, 1, 60_000, 'oauth')).isBlocked).toBe(true);
  });

  it('a new window starts at 1 once the window is over', async () => {
    expect(await storageA.increment('window', 1_000, 2, 0, 'oauth')).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 1 });
    expect(await storageB.increment('window', 1_000, 2, 0, 'oauth')).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await storageA.increment('window', 1_000, 2, 0, 'oauth')).toMatchObject({ totalHits: 3, isBlocked: true });
    await sleep(1_300);
    expect(await storageB.increment('window', 1_000, 2, 0, 'oauth')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('a block outlives the window it started in and ends with a fresh count', async () => {
    const started = Date.now();
    await storageA.increment('blocked', 300, 1, 3_000, 'oauth');
    const blocked = await storageB.increment('blocked', 300, 1, 3_000, 'oauth');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 3 });
    await sleep(600);
    expect(await storageA.increment('blocked', 300, 1, 3_000, 'oauth')).toMatchObject({ isBlocked: true });
    await sleep(3_500 - (Date.now() - started));
    expect(await storageB.increment('blocked', 300, 1, 3_000, 'oauth')).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('the cleanup deletes counters whose window and block are over, and keeps the others', async () => {
    await storageA.increment('cleanup-done', 100, 5, 100, 'oauth');
    await storageA.increment('cleanup-live', 60_000, 5, 60_000, 'oauth');
    await storageA.increment('cleanup-blocked', 100, 0, 60_000, 'oauth');
    await sleep(300);
    expect(await storageB.deleteExpired()).toBeGreaterThanOrEqual(1);
    const keys = (await replicaA.query(`SELECT key FROM rate_limit_hits WHERE key LIKE 'oauth:cleanup-%' ORDER BY key`)) as { key: string }[];
    expect(keys.map((row) => row.key)).toEqual(['oauth:cleanup-blocked', 'oauth:cleanup-live']);
  });
});

describe('SharedThrottlerStorage', () => {
  it('lets requests through when the counter store fails, warning once per interval', async () => {
    const failing = { increment: jest.fn().mockRejectedValue(new Error('connection refused')) };
    const storage = new SharedThrottlerStorage(failing, 'redis');
    const warn = jest.spyOn((storage as unknown as { logger: { warn: (m: string) => void } }).logger, 'warn').mockImplementation(() => undefined);
    const first = await storage.increment('k', 60_000, 1, 60_000, 'oauth');
    await storage.increment('k', 60_000, 1, 60_000, 'oauth');
    expect(first).toEqual({ totalHits: 0, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('rate limit not enforced: the redis counter store failed (connection refused)');
  });
});
