import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the receiver got, with its raw body. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: Date;
}

/** What the receiver does with a request: answer a status, or hold it open until the test ends. */
export type ReceiverAnswer = { status: number } | 'hang';

/** A loopback HTTP server that records every request and answers as the test says (operators' event endpoints). */
export interface RecordingReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers of the next requests, in order; afterwards every request gets `fallback`. */
  answers: ReceiverAnswer[];
  fallback: ReceiverAnswer;
  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a recording receiver on a free loopback port; it answers 200 unless told otherwise. */
export async function startRecordingReceiver(): Promise<RecordingReceiver> {
  const requests: ReceivedRequest[] = [];
  const held = new Set<IncomingMessage>();
  let waiters: (() => boolean)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), at: new Date() });
      const answer = receiver.answers.shift() ?? receiver.fallback;
      if (answer === 'hang') held.add(request);
      else response.writeHead(answer.status, { 'content-type': 'application/json' }).end('{"ok":true}');
      waiters = waiters.filter((waiter) => !waiter());
    });
  });
  const receiver: RecordingReceiver = {
    url: '',
    requests,
    answers: [],
    fallback: { status: 200 },
    waitFor: (count, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return false;
          clearTimeout(timer);
          resolve(requests);
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`only ${requests.length} of ${count} requests arrived within ${timeoutMs} ms`)), timeoutMs);
        if (!check()) waiters.push(check);
      }),
    close: async () => {
      for (const request of held) request.socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
