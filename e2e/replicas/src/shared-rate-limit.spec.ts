import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, createTestDatabase, describeWithRedis, newEncryptionKey, startAppProcess, TestDatabase } from '@bot/testing';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';

const LIMIT = 10;

/** A client address of its own (from 198.18.0.0/15), so test runs sharing one Redis never count together. */
const clientAddress = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/**
 * The OAuth install rate limit is one limit for the whole deployment: two oauth-service processes behind one
 * (pretend) ingress share the counter, whichever of them a request lands on.
 */
describe('the OAuth rate limit across two oauth-service processes', () => {
  const encryptionKey = newEncryptionKey();
  let database: TestDatabase;
  let sandbox: PlatformSandbox;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startPlatformSandbox({ oauthServiceUrl: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    await Promise.all(processes.map((app) => app.stop()));
    await sandbox.stop();
    await database.drop();
  });

  const startPair = async (env: Record<string, string> = {}) => {
    const pair = await Promise.all(
      [0, 1].map(() =>
        startAppProcess('oauth-service', {
          DATABASE_URL: database.url,
          TOKEN_ENCRYPTION_KEY: encryptionKey,
          BASE_URL: 'http://127.0.0.1:9',
          OAUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT),
          // The test stands in for the ingress: its X-Forwarded-For names the client.
          TRUST_PROXY: 'true',
          ...sandbox.envOf('slack'),
          ...env,
        }, 120_000),
      ),
    );
    processes.push(...pair);
    return pair;
  };

  /** `count` install requests from one client, alternating between the two processes, all at once. */
  const burst = async (pair: AppProcess[], client: string, count: number) => {
    const statuses = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await fetch(`${pair[i % 2].url}/oauth/install/slack`, { redirect: 'manual', headers: { 'x-forwarded-for': client } });
        return { process: i % 2, status: response.status };
      }),
    );
    return {
      passed: statuses.filter((entry) => entry.status === 302).length,
      limited: statuses.filter((entry) => entry.status === 429).length,
      passedPerProcess: [0, 1].map((process) => statuses.filter((entry) => entry.process === process && entry.status === 302).length),
    };
  };

  const expectShared = async (pair: AppProcess[]) => {
    const client = clientAddress();
    const first = await burst(pair, client, LIMIT * 3);
    // Per-process counters would let 2 × LIMIT through; the shared one lets LIMIT through in all.
    expect(first.passed).toBe(LIMIT);
    expect(first.limited).toBe(LIMIT * 2);
    expect(first.passedPerProcess.reduce((sum, n) => sum + n, 0)).toBe(LIMIT);
    // Both processes keep refusing that client; another client (another address behind the proxy) is unaffected.
    expect((await burst(pair, client, 4)).passed).toBe(0);
    expect((await burst(pair, clientAddress(), 4)).passed).toBe(4);
  };

  it('PostgreSQL (default): LIMIT requests pass in all, the counters are rows of rate_limit_hits', async () => {
    const pair = await startPair();
    await expectShared(pair);
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ hits: number }>(`SELECT hits FROM rate_limit_hits ORDER BY hits DESC`);
      expect(rows.map((row) => row.hits)).toEqual([LIMIT * 3 + 4, 4]);
    } finally {
      await pg.end();
    }
  }, 180_000);

  describeWithRedis('with REDIS_URL', (redisUrl) => {
    it('Redis: LIMIT requests pass in all, and nothing is counted in PostgreSQL', async () => {
      const pg = new Client({ connectionString: database.url });
      await pg.connect();
      try {
        await pg.query(`TRUNCATE rate_limit_hits`);
        const pair = await startPair({ REDIS_URL: redisUrl });
        await expectShared(pair);
        expect((await pg.query(`SELECT count(*)::int AS n FROM rate_limit_hits`)).rows[0]).toEqual({ n: 0 });
      } finally {
        await pg.end();
      }
    }, 180_000);
  });
});
