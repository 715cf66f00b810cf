import { IncomingMessage, Server } from 'node:http';
import { Socket } from 'node:net';

/** How long and how much of an unread request body is read and dropped before the connection is closed. */
export interface RefusedBodyDrainLimits {
  maxMs: number;
  maxBytes: number;
}

const DEFAULT_LIMITS: RefusedBodyDrainLimits = { maxMs: 5_000, maxBytes: 64 * 1024 * 1024 };

/**
 * When an answer is sent before the request body was read (a 404, 400 or 401 that refuses the request) and the
 * connection is to close (`Connection: close`), Node closes the socket with the rest of the body still arriving;
 * the kernel then answers those bytes with a TCP reset, and a client still writing its body often sees the reset
 * instead of the answer. This keeps reading (and dropping) the body after the answer and its FIN, up to the
 * limits, and closes once the client has sent it all or hung up.
 */
export function drainRefusedBodies(server: Server, limits: RefusedBodyDrainLimits = DEFAULT_LIMITS): void {
  const current = new WeakMap<Socket, IncomingMessage>();
  server.on('request', (req: IncomingMessage) => current.set(req.socket, req));
  server.on('connection', (socket: Socket & { destroySoon?: () => void }) => {
    // Node's HTTP server closes a `Connection: close` socket through this (internal, long-standing) method.
    const destroySoon = socket.destroySoon;
    if (typeof destroySoon !== 'function') return;
    socket.destroySoon = () => {
      const req = current.get(socket);
      if (!req || req.complete || socket.readableEnded || socket.destroyed) return destroySoon.call(socket);
      lingerUntilBodyRead(socket, req, limits);
    };
  });
}

function lingerUntilBodyRead(socket: Socket, req: IncomingMessage, limits: RefusedBodyDrainLimits): void {
  socket.end();
  let received = 0;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, limits.maxMs);
  timer.unref();
  // The server has already handed the body to its dump (read and dropped); counting it bounds the work.
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > limits.maxBytes) close();
  });
  req.once('end', close);
  req.once('error', close);
  socket.once('end', close);
  socket.once('close', () => clearTimeout(timer));
}
