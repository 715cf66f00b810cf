import { createConnection, createServer, Server, Socket } from 'node:net';

/** A TCP proxy in front of a server that delays what the server sends on chosen connections. */
export interface LatencyProxy {
  /** Loopback port the proxy listens on. */
  port: number;
  /** Connections the delay applied to so far. */
  delayedConnections(): number;
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy to `target` (e.g. PostgreSQL). Server-to-client bytes of every connection whose first
 * client bytes contain `delayWhenClientSends` are held back `delayMs` each (order kept), e.g. to make the
 * LISTEN connection of one app (its PostgreSQL `application_name`) receive notifications late.
 */
export async function startLatencyProxy(target: { host: string; port: number }, options: { delayMs: number; delayWhenClientSends: string }): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let delayed = 0;
  const marker = Buffer.from(options.delayWhenClientSends);
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    let decided = false;
    let slow = false;
    client.on('data', (chunk: Buffer) => {
      if (!decided) {
        decided = true;
        slow = chunk.includes(marker);
        if (slow) delayed++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!slow) return void client.write(chunk);
      // Equal delays fire in the order they were set, so the stream stays in order.
      setTimeout(() => client.destroyed || client.write(chunk), options.delayMs);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', () => setTimeout(end, slow ? options.delayMs : 0)).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('latency proxy has no port');
  return {
    port: address.port,
    delayedConnections: () => delayed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
