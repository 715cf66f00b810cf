import { loadAppConfig } from '@bot/config';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { BadRequestException, Controller, INestApplication, Module, Post } from '@nestjs/common';
import { connect } from 'node:net';
import { createHttpApp } from './http-app';

@Controller()
class RefusingController {
  /** Refuses before touching the body, as the API apps do for a missing installation id or a bad signature. */
  @Post('refuse')
  refuse(): never {
    throw new BadRequestException('refused before the body was read');
  }
}

@Module({ controllers: [RefusingController] })
class RefusingModule {}

const BODY = Buffer.alloc(1_400_000, 0x61);

/** One raw HTTP/1.1 request with `Connection: close`; resolves with everything the server sent before the socket ended. */
function rawRequest(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(received).toString('latin1'));
    };
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n`,
      );
      // In chunks from a producer (a file, a generator), as HTTP clients stream a body: the refusal arrives while
      // the client is still writing, and a write that meets the server's reset destroys the socket unread.
      let offset = 0;
      const writeMore = () => {
        if (socket.destroyed) return;
        if (offset >= BODY.length) return void socket.end();
        const chunk = BODY.subarray(offset, offset + 32 * 1024);
        offset += chunk.length;
        socket.write(chunk);
        setImmediate(writeMore);
      };
      writeMore();
    });
  });
}

describe('answers before resets: a request refused before its body is read', () => {
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    const config = loadAppConfig('api-gateway', {
      cwd: tmpdir(),
      env: { NODE_ENV: 'test', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64url'), ADMIN_API_KEY: 'a'.repeat(32), SERVICE_API_KEY: 's'.repeat(32) },
    });
    app = await createHttpApp({ module: RefusingModule }, config, { logger: false, bodies: 'raw' });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('gets its 404 or 400 every time, with a 1.4 MB body and Connection: close, under concurrent load', async () => {
    const total = 240;
    const concurrency = 24;
    const statuses: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const path = next++ % 2 === 0 ? '/refuse' : '/no-such-route';
          const answer = await rawRequest(port, path);
          statuses.push(`${path} ${/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'reset'}`);
        }
      }),
    );
    const counts = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(counts).toEqual({ '/refuse 400': total / 2, '/no-such-route 404': total / 2 });
  }, 60_000);
});
