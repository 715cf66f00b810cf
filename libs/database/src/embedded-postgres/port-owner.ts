import { realpathSync } from 'node:fs';
import { Client } from 'pg';
import { EMBEDDED_PASSWORD, EMBEDDED_USER } from './postgres-cluster';

/** Who answers on a port: nobody, this checkout's cluster, a server that is still starting, or anything else. */
export type PortOwner = { kind: 'free' } | { kind: 'ours' } | { kind: 'starting' } | { kind: 'foreign'; what: string };

/**
 * Identifies the server on `port` by its `data_directory`: only the cluster in `realDataDir` is ours. A server
 * that refuses our login, holds other data, or does not speak PostgreSQL is foreign.
 */
export async function identifyPortOwner(port: number, realDataDir: string | undefined): Promise<PortOwner> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const { code, message } = error as { code?: string; message: string };
    if (code === 'ECONNREFUSED') return { kind: 'free' };
    // 57P03: the server is starting up or shutting down; ask again shortly.
    if (code === '57P03') return { kind: 'starting' };
    if (code === '28P01' || code === '28000') return { kind: 'foreign', what: 'a PostgreSQL server that refuses the embedded login' };
    return { kind: 'foreign', what: `something that does not answer as PostgreSQL (${message})` };
  }
  try {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    const theirs = rows[0]?.data_directory ?? '';
    if (realDataDir && sameDirectory(theirs, realDataDir)) return { kind: 'ours' };
    return { kind: 'foreign', what: `a PostgreSQL server with its data in ${theirs}` };
  } catch (error) {
    return { kind: 'foreign', what: `a PostgreSQL server that does not say where its data is (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sameDirectory(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
