import { connect, Socket } from 'node:net';

/** Raw HTTP/1.1 exchanges that `fetch` cannot make: bodies cut short, callers that hang up. */

function open(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

function head(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Declares `declaredLength` bytes, sends `partial`, waits, hangs up. */
export async function abortedBody(baseUrl: string, path: string, headers: Record<string, string>, partial: string, declaredLength = 10_000): Promise<void> {
  const socket = await open(baseUrl);
  socket.on('error', () => undefined);
  socket.write(head('POST', path, { ...headers, 'content-length': String(declaredLength) }) + partial);
  await pause(150);
  socket.destroy();
}

/** Sends one chunk of a chunked body, waits, hangs up. */
export async function abortedChunkedBody(baseUrl: string, path: string, headers: Record<string, string>, chunk: string): Promise<void> {
  const socket = await open(baseUrl);
  socket.on('error', () => undefined);
  socket.write(head('POST', path, { ...headers, 'transfer-encoding': 'chunked' }) + `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  await pause(150);
  socket.destroy();
}

/** Sends a whole request and hangs up as soon as the first bytes of the answer arrive (or after `waitMs`). */
export async function hangUpDuringAnswer(baseUrl: string, method: string, path: string, headers: Record<string, string>, waitMs = 2000): Promise<void> {
  const socket = await open(baseUrl);
  socket.on('error', () => undefined);
  const firstBytes = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(head(method, path, { ...headers, 'content-length': '0' }));
  await Promise.race([firstBytes, pause(waitMs)]);
  socket.destroy();
}

/** Sends a whole request and hangs up at once, before any answer can come. */
export async function hangUpBeforeAnswer(baseUrl: string, method: string, path: string, headers: Record<string, string>): Promise<void> {
  const socket = await open(baseUrl);
  socket.on('error', () => undefined);
  socket.write(head(method, path, { ...headers, 'content-length': '0' }));
  socket.destroy();
}
