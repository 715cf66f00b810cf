import { Socket } from 'node:net';
import { TEST_REDIS_URL } from './jest/test-database-env';

/** The Redis tests may use: `TEST_REDIS_URL` when set, else the machine's 127.0.0.1:6379. */
export function candidateRedisUrl(): string {
  return process.env['TEST_REDIS_URL'] || 'redis://127.0.0.1:6379';
}

/** Whether a Redis answers PING at `url` within `timeoutMs` (the global setup asks once per run). */
export function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('+PONG') || chunk.toString().startsWith('-NOAUTH')));
    socket.connect(Number(port || 6379), hostname, () => socket.write('PING\r\n'));
  });
}

/** The Redis the global setup found for this run, or undefined when none answered. */
export function testRedisUrl(): string | undefined {
  return process.env[TEST_REDIS_URL] || undefined;
}

/**
 * `describe` for tests of the Redis path. Without a Redis: skipped (and listed as skipped) on a developer's
 * machine, since Redis is optional for the product; a failing test under CI=true, because CI machines run
 * Redis and a green run there must mean the Redis path was exercised.
 */
export function describeWithRedis(name: string, body: (redisUrl: string) => void): void {
  const url = testRedisUrl();
  if (url) {
    describe(name, () => body(url));
  } else if (process.env['CI']) {
    describe(name, () => {
      it('needs a Redis (none answered at TEST_REDIS_URL or 127.0.0.1:6379)', () => {
        throw new Error(`CI must run the Redis path: no Redis answered at ${candidateRedisUrl()}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: no Redis at ${candidateRedisUrl()})`, () => body(''));
  }
}
