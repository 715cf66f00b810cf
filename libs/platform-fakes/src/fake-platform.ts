import express, { Express, NextFunction, Request, Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { deserialize, serialize } from 'node:v8';

/** One request a fake received, as the test sees it. */
export interface RecordedCall {
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A failure a fake plays instead of its normal answer: an HTTP status (with headers such as `retry-after` for a
 * rate limit), no answer at all, broken JSON, or the normal answer only after a delay (a slow platform).
 */
export type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | { delayMs: number } | 'timeout' | 'malformed';

/** Largest body `GET /fake/large` streams, so a typo cannot make a test generate gigabytes. */
const LARGE_BODY_MAX_BYTES = 1024 ** 3;
const LARGE_BODY_CHUNK_BYTES = 64 * 1024;

/**
 * Base of the in-repo fakes of the platforms (GitHub, Slack, Atlassian, Sentry): a real HTTP server on loopback
 * that records every call and can be told to fail the next calls of a route.
 */
export abstract class FakePlatform {
  readonly calls: RecordedCall[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private baseUrl?: string;
  private stateFile?: { path: string; onProblem: (message: string) => void };
  /** Answered by `GET /fake/instance`, so a process reusing a sandbox can tell it is the one it was told about. */
  instanceId = randomBytes(8).toString('hex');
  private saveTimer?: NodeJS.Timeout;

  /**
   * Names of the fields that hold what the fake issued and stores (tokens, installs, workspaces, sites, issues,
   * messages, id counters). With `persistIn` they are loaded at start and written after every call, so a
   * restarted sandbox still honours what it issued before. Maps, Sets, arrays, plain objects and numbers are
   * kept, objects shared between fields stay shared; a new fake only lists its fields here.
   */
  protected abstract readonly persistentFields: readonly string[];

  /**
   * Keeps the fake's state in `path` across restarts (binary, mode 0600), loading what the file holds now. An
   * unreadable file is set aside as `<path>.unreadable`, reported through `onProblem`, and the fake starts empty.
   */
  persistIn(path: string, onProblem: (message: string) => void = () => undefined): this {
    this.stateFile = { path, onProblem };
    this.loadState();
    return this;
  }

  /** Base URL once started, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.constructor.name} is not started`);
    return this.baseUrl;
  }

  /** Starts listening on loopback (port 0: any free port). */
  async start(port = 0): Promise<this> {
    const app = express();
    app.disable('x-powered-by');
    // Before the body parsers: the streaming routes must see the raw, unlimited body.
    this.streamingRoutes(app);
    app.use(express.json({ limit: '1mb' }));
    app.use(express.urlencoded({ extended: false, limit: '1mb' }));
    this.routes(app);
    app.use((req: Request, res: Response) => this.unknownRoute(req, res));
    app.use((error: { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(error);
      if (error.type === 'entity.parse.failed') return this.unparsableBody(req, res);
      res.status(error.status ?? 500).json({ message: String((error as Error).message ?? error) });
    });
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
    this.saveState();
  }

  /** Writes the persistent fields now (also done shortly after every call and on stop). */
  saveState(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.stateFile) return;
    const fields = this as unknown as Record<string, unknown>;
    const snapshot = { fake: this.constructor.name, fields: Object.fromEntries(this.persistentFields.map((name) => [name, fields[name]])) };
    const staging = `${this.stateFile.path}.${process.pid}.tmp`;
    writeFileSync(staging, serialize(snapshot), { mode: 0o600 });
    renameSync(staging, this.stateFile.path);
  }

  private loadState(): void {
    if (!this.stateFile || !existsSync(this.stateFile.path)) return;
    let snapshot: { fake?: string; fields?: Record<string, unknown> };
    try {
      snapshot = deserialize(readFileSync(this.stateFile.path));
      if (snapshot.fake !== this.constructor.name || typeof snapshot.fields !== 'object') throw new Error(`it is not a ${this.constructor.name} state`);
    } catch (error) {
      renameSync(this.stateFile.path, `${this.stateFile.path}.unreadable`);
      this.stateFile.onProblem(`${this.stateFile.path} could not be read (${(error as Error).message}); set aside as .unreadable, starting empty`);
      return;
    }
    const fields = this as unknown as Record<string, unknown>;
    for (const name of this.persistentFields) {
      if (!(name in snapshot.fields!)) continue;
      const saved = snapshot.fields![name];
      const current = fields[name];
      // Refill collections in place: callers may already hold them (e.g. `sandbox.github.installations`).
      if (current instanceof Map && saved instanceof Map) {
        current.clear();
        for (const [key, value] of saved) current.set(key, value);
      } else if (current instanceof Set && saved instanceof Set) {
        current.clear();
        for (const value of saved) current.add(value);
      } else if (Array.isArray(current) && Array.isArray(saved)) {
        current.splice(0, current.length, ...saved);
      } else {
        fields[name] = saved;
      }
    }
  }

  private scheduleSave(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveState(), 50);
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
      res.once('finish', () => this.scheduleSave());
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
      if (fault && 'delayMs' in fault) {
        setTimeout(() => Promise.resolve(handler(req, res)).catch(next), fault.delayMs);
        return;
      }
      if (fault) return res.status(fault.status).set(fault.headers ?? {}).json(fault.body ?? { error: 'fake_failure' });
      Promise.resolve(handler(req, res)).catch(next);
    });
  }

  protected abstract routes(app: Express): void;

  /** The answer to a path no route matched; platforms override it with their own 404 shape. */
  protected unknownRoute(req: Request, res: Response): void {
    res.status(404).json({ message: 'Not Found', path: req.path });
  }

  /** The answer to a JSON body that does not parse; platforms override it with their own error shape. */
  protected unparsableBody(_req: Request, res: Response): void {
    res.status(400).json({ message: 'Problems parsing JSON' });
  }

  /**
   * Fake-only routes every fake has, for checking bodies through the API apps: `POST|PUT /fake/echo` answers the
   * request body byte for byte (any content type, any size) with `x-fake-received-bytes` and
   * `x-fake-received-sha256`, and `GET /fake/large?bytes=N` streams N bytes of `fakeLargeBody` in chunks. The echo
   * reads the whole body before answering, as its headers need the full count. `GET /fake/instance` names the
   * fake and its `instanceId`.
   */
  private streamingRoutes(app: Express): void {
    app.get('/fake/instance', (_req: Request, res: Response) => {
      res.json({ fake: this.constructor.name, instance: this.instanceId });
    });

    for (const method of ['post', 'put'] as const) {
      this.handle(app, method, '/fake/echo', async (req, res) => {
        const chunks: Buffer[] = [];
        const hash = createHash('sha256');
        for await (const chunk of req as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          hash.update(chunk);
        }
        const body = Buffer.concat(chunks);
        // setHeader, not res.set: Express would add a charset to text types, and the answer must echo the type as sent.
        res.setHeader('content-type', req.headers['content-type'] ?? 'application/octet-stream');
        res.setHeader('x-fake-received-bytes', String(body.length));
        res.setHeader('x-fake-received-sha256', hash.digest('hex'));
        res.status(200).end(body);
      });
    }

    this.handle(app, 'get', '/fake/large', (req, res) => {
      const bytes = Number(req.query['bytes']);
      if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > LARGE_BODY_MAX_BYTES) {
        return res.status(400).json({ message: `bytes must be an integer from 0 to ${LARGE_BODY_MAX_BYTES}` });
      }
      // No content-length: the answer goes out chunked, as a streamed upstream answer would.
      res.status(200).type('application/octet-stream');
      pipeline(Readable.from(largeBodyChunks(bytes)), res, () => undefined);
    });
  }
}

/** The bytes `GET /fake/large?bytes=N` streams: byte i is `i % 251`, so a misplaced or lost chunk shows. */
export function fakeLargeBody(bytes: number): Buffer {
  return Buffer.concat([...largeBodyChunks(bytes)]);
}

/** One chunk's worth of the pattern from every starting phase, so chunks are slices rather than byte loops. */
const LARGE_BODY_PATTERN = Buffer.from(Array.from({ length: LARGE_BODY_CHUNK_BYTES + 251 }, (_, i) => i % 251));

function* largeBodyChunks(bytes: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes; offset += LARGE_BODY_CHUNK_BYTES) {
    const start = offset % 251;
    yield LARGE_BODY_PATTERN.subarray(start, start + Math.min(LARGE_BODY_CHUNK_BYTES, bytes - offset));
  }
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
