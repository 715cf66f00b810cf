import express, { Express, NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One request a fake received, as the test sees it. */
export interface RecordedCall {
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** A failure a fake plays instead of its normal answer: an HTTP status, no answer at all, or broken JSON. */
export type Fault = { status: number; body?: unknown } | 'timeout' | 'malformed';

/**
 * Base of the in-repo fakes of GitHub, Slack and Atlassian: a real HTTP server on loopback that records every
 * call and can be told to fail the next calls of a route.
 */
export abstract class FakePlatform {
  readonly calls: RecordedCall[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private baseUrl?: string;

  /** Base URL once started, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.constructor.name} is not started`);
    return this.baseUrl;
  }

  /** Starts listening on loopback (port 0: any free port). */
  async start(port = 0): Promise<this> {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '1mb' }));
    app.use(express.urlencoded({ extended: false, limit: '1mb' }));
    this.routes(app);
    app.use((req: Request, res: Response) => res.status(404).json({ message: 'Not Found', path: req.path }));
    this.server = await new Promise<Server>((resolve) => {
      const server = app.listen(port, '127.0.0.1', () => resolve(server));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the server, dropping connections held open by `timeout` faults. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `route` (e.g. `POST /oauth/token`) get `fault` instead of the normal answer. */
  failNext(route: string, fault: Fault, times = 1): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...Array<Fault>(times).fill(fault)]);
  }

  /** Calls received on one route. */
  callsTo(route: string): RecordedCall[] {
    return this.calls.filter((call) => call.route === route);
  }

  /** Registers a route that records its calls and honours faults. */
  protected handle(app: Express, method: 'get' | 'post' | 'delete' | 'patch' | 'put', path: string, handler: (req: Request, res: Response) => unknown): void {
    const route = `${method.toUpperCase()} ${path}`;
    app[method](path, (req: Request, res: Response, next: NextFunction) => {
      this.calls.push({
        route,
        method: req.method,
        path: req.path,
        query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: req.body,
      });
      const fault = this.faults.get(route)?.shift();
      if (fault === 'timeout') return; // never answers; the client's time limit has to act
      if (fault === 'malformed') return res.status(200).type('application/json').send('{"ok": tru');
      if (fault) return res.status(fault.status).json(fault.body ?? { error: 'fake_failure' });
      Promise.resolve(handler(req, res)).catch(next);
    });
  }

  protected abstract routes(app: Express): void;
}

/** A random token-looking string with a platform prefix. */
export function fakeSecret(prefix: string, bytes = 24): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/** The URL with query parameters added. */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/** The bearer token of a request, if any. */
export function bearerToken(req: Request): string | undefined {
  const match = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
