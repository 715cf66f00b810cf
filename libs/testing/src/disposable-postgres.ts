import { ensureEmbeddedPostgres, RunningPostgres } from '@bot/database';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './pg-admin';

/**
 * A PostgreSQL cluster of a test's own, for tests that stop and restart the database (the shared test server
 * must never be stopped) or need a second server on the machine.
 */
export class DisposablePostgres {
  private constructor(
    private server: RunningPostgres,
    private readonly root: string,
    readonly port: number,
  ) {}

  /** Initialises and starts a new cluster on a free port. */
  static async start(): Promise<DisposablePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'bot-disposable-pg-'));
    chmodSync(root, 0o755);
    const port = await freePort();
    return new DisposablePostgres(await DisposablePostgres.run(root, port), root, port);
  }

  /** URL of the always-present `postgres` database. */
  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Stops the server; connections fail until `resume`. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Starts the stopped server again on the same port and data. */
  async resume(): Promise<void> {
    this.server = await DisposablePostgres.run(this.root, this.port);
  }

  /** Stops the server for good and deletes its data. */
  async destroy(): Promise<void> {
    await this.server.destroy();
    rmSync(this.root, { recursive: true, force: true });
  }

  private static run(root: string, port: number): Promise<RunningPostgres> {
    return ensureEmbeddedPostgres({ dataDir: join(root, 'data'), port, database: 'postgres', ephemeral: true, detached: false });
  }
}
