import { describeWithRedis, freePort } from '@bot/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { RATE_LIMIT_REDIS_KEY_PREFIX, RedisThrottlerStorage } from './redis-throttler.storage';
import { SharedThrottlerStorage } from './shared-throttler.storage';

describeWithRedis('RedisThrottlerStorage', (redisUrl) => {
  let replicaA: RedisThrottlerStorage;
  let replicaB: RedisThrottlerStorage;
  let inspector: Redis;
  const key = `spec-${randomUUID()}`;

  beforeAll(() => {
    replicaA = new RedisThrottlerStorage(redisUrl);
    replicaB = new RedisThrottlerStorage(redisUrl);
    inspector = new Redis(redisUrl);
  });
  afterAll(async () => {
    await replicaA.onApplicationShutdown();
    await replicaB.onApplicationShutdown();
    const keys = await inspector.keys(`${RATE_LIMIT_REDIS_KEY_PREFIX}{${key}*`);
    if (keys.length > 0) await inspector.del(...keys);
    await inspector.quit();
  });

  it('two clients count one key atomically under the product prefix', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? replicaA : replicaB).increment(key, 60_000, 30, 60_000, 'oauth')));
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(30);
    expect(results.map((result) => result.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await inspector.keys(`${RATE_LIMIT_REDIS_KEY_PREFIX}{${key}*`)).sort()).toEqual([
      `${RATE_LIMIT_REDIS_KEY_PREFIX}{${key}:oauth}:blocked`,
      `${RATE_LIMIT_REDIS_KEY_PREFIX}{${key}:oauth}:hits`,
    ]);
  });
});

describe('RedisThrottlerStorage without a Redis', () => {
  it('fails a hit within seconds instead of queueing it, so the request goes through', async () => {
    const storage = new RedisThrottlerStorage(`redis://127.0.0.1:${await freePort()}`);
    const shared = new SharedThrottlerStorage(storage, 'redis');
    jest.spyOn((shared as unknown as { logger: { warn: (m: string) => void } }).logger, 'warn').mockImplementation(() => undefined);
    try {
      const started = Date.now();
      await expect(storage.increment('k', 60_000, 1, 60_000, 'oauth')).rejects.toThrow();
      expect(await shared.increment('k', 60_000, 1, 60_000, 'oauth')).toMatchObject({ isBlocked: false });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await storage.onApplicationShutdown();
    }
    await new Promise((r) => setTimeout(r, 500));
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
    process.stderr.write(`DEBUG handles: ${handles.map((h) => h.constructor.name + (('remotePort' in h) ? ':' + String((h as {remotePort?: number}).remotePort) : '')).join(', ')}\n`);
  });
});
