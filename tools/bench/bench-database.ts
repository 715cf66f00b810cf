import { ensureEmbeddedPostgres } from '@bot/database';
import { freePort, withClient } from '@bot/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway database for one benchmark run, and how to remove it (and the server, when it was started here). */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** An empty database on `adminUrl`'s server, or on a fresh embedded PostgreSQL in a temp dir when none is given. */
export async function createBenchDatabase(adminUrl: string | undefined, options: { ephemeral?: boolean } = {}): Promise<BenchDatabase> {
  let stopPostgres = async () => undefined as void;
  let dataRoot: string | undefined;
  if (!adminUrl) {
    dataRoot = mkdtempSync(join(tmpdir(), 'bot-bench-pg-'));
    const server = await ensureEmbeddedPostgres({
      dataDir: join(dataRoot, 'data'),
      port: await freePort(),
      database: 'postgres',
      ephemeral: options.ephemeral ?? true,
      detached: false,
      // As the apps reach the embedded server (resolveDatabase): through its Unix socket.
      socket: true,
    });
    adminUrl = server.url;
    stopPostgres = server.destroy;
  }
  const admin = adminUrl;
  const name = `bench_${randomBytes(4).toString('hex')}`;
  await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    url: Object.assign(new URL(admin), { pathname: `/${name}` }).toString(),
    drop: async () => {
      await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopPostgres();
      if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
