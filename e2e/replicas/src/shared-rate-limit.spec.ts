import { PlatformSandbox, startPlatformSandbox } from '@bot/platforms';
import { AppProcess, createTestDatabase, describeWithRedis, newEncryptionKey, startAppProcess, TEST_ADMIN_API_KEY, TestDatabase } from '@bot/testing';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';

const LIMIT = 10;
/** Console sign-in attempts per client and minute (ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE). */
const LOGIN_LIMIT = 5;

/** A client address of its own (from 198.18.0.0/15), so test runs sharing one Redis never count together. */
const clientAddress = () => `198.${randomInt(18, 20)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/**
 * The OAuth install rate limit and the console sign-in limit are each one limit for the whole deployment: two
 * oauth-service processes behind one (pretend) ingress share the counters, whichever of them a request lands on.
 */
describe('the OAuth and console sign-in rate limits across two oauth-service processes', () => {
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
          ADMIN_LOGIN_RATE_LIMIT_PER_MINUTE: String(LOGIN_LIMIT),
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

  /**
   * `keys.length` console sign-ins from one client, the i-th posted to process i % 2, all at once. Each first opens
   * the sign-in form of the process it posts to (the form's token and cookie, as a browser would), so a refusal
   * is the key's (401) or the limit's (429), never the CSRF check's.
   */
  const signIns = async (pair: AppProcess[], client: string, keys: string[]) => {
    const forms = await Promise.all(
      keys.map(async (_, i) => {
        const form = await fetch(`${pair[i % 2].url}/admin/login`, { headers: { 'x-forwarded-for': client } });
        const page = await form.text();
        const cookie = form.headers.getSetCookie().map((line) => line.split(';')[0]).find((entry) => entry.startsWith('bot_admin_login='));
        const csrf = /name="_csrf" value="([^"]*)"/.exec(page)?.[1];
        if (form.status !== 200 || !cookie || !csrf) throw new Error(`no sign-in form from process ${i % 2}: ${form.status}`);
        return { cookie, csrf };
      }),
    );
    const statuses = await Promise.all(
      keys.map(async (key, i) => {
        const response = await fetch(`${pair[i % 2].url}/admin/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: forms[i].cookie, 'x-forwarded-for': client },
          body: new URLSearchParams({ key, _csrf: forms[i].csrf, next: '' }),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    return statuses;
  };

  const wrongKeys = (count: number) => Array.from({ length: count }, (_, i) => `wrong-admin-key-${i}-0123456789abcdef`);

  const expectSharedSignInLimit = async (pair: AppProcess[]) => {
    const client = clientAddress();
    const first = await signIns(pair, client, wrongKeys(LOGIN_LIMIT * 3));
    // Per-process counters would let 2 × LOGIN_LIMIT wrong keys be tried; the shared one lets LOGIN_LIMIT in all.
    expect(first.filter((status) => status === 401)).toHaveLength(LOGIN_LIMIT);
    expect(first.filter((status) => status === 429)).toHaveLength(LOGIN_LIMIT * 2);
    expect(first.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    // Over the limit, the right key is refused too, on both processes; another client signs in on both.
    expect(await signIns(pair, client, [TEST_ADMIN_API_KEY, TEST_ADMIN_API_KEY])).toEqual([429, 429]);
    expect(await signIns(pair, clientAddress(), [TEST_ADMIN_API_KEY, TEST_ADMIN_API_KEY])).toEqual([303, 303]);
  };

  describe('PostgreSQL (default)', () => {
    let pair: AppProcess[];
    let pg: Client;
    beforeAll(async () => {
      pair = await startPair();
      pg = new Client({ connectionString: database.url });
      await pg.connect();
    }, 180_000);
    afterAll(() => pg?.end());

    it('OAuth install: LIMIT requests pass in all, the counters are rows of rate_limit_hits', async () => {
      await expectShared(pair);
      const { rows } = await pg.query<{ hits: number }>(`SELECT hits FROM rate_limit_hits ORDER BY hits DESC`);
      expect(rows.map((row) => row.hits)).toEqual([LIMIT * 3 + 4, 4]);
    }, 60_000);

    it('console sign-in: wrong keys over both processes are refused with 429 after LOGIN_LIMIT in all, counted in rate_limit_hits', async () => {
      await pg.query(`TRUNCATE rate_limit_hits`);
      await expectSharedSignInLimit(pair);
      // One counter per client for both processes (opening the form is not counted, only posting it).
      const { rows } = await pg.query<{ hits: number }>(`SELECT hits FROM rate_limit_hits ORDER BY hits DESC`);
      expect(rows.map((row) => row.hits)).toEqual([LOGIN_LIMIT * 3 + 2, 2]);
    }, 60_000);
  });

  describeWithRedis('with REDIS_URL', (redisUrl) => {
    let pair: AppProcess[];
    let pg: Client;
    beforeAll(async () => {
      pg = new Client({ connectionString: database.url });
      await pg.connect();
      await pg.query(`TRUNCATE rate_limit_hits`);
      pair = await startPair({ REDIS_URL: redisUrl });
    }, 180_000);
    afterAll(() => pg?.end());

    it('Redis, OAuth install: LIMIT requests pass in all, and nothing is counted in PostgreSQL', async () => {
      await expectShared(pair);
      expect((await pg.query(`SELECT count(*)::int AS n FROM rate_limit_hits`)).rows[0]).toEqual({ n: 0 });
    }, 60_000);

    it('Redis, console sign-in: wrong keys over both processes are refused with 429 after LOGIN_LIMIT in all, nothing counted in PostgreSQL', async () => {
      await expectSharedSignInLimit(pair);
      expect((await pg.query(`SELECT count(*)::int AS n FROM rate_limit_hits`)).rows[0]).toEqual({ n: 0 });
    }, 60_000);
  });
});
