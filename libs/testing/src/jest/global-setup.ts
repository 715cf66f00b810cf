import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { EmbeddedPostgresError, ensureEmbeddedPostgres, runMigrations } from '@bot/database';
import { SCHEMA_MIGRATIONS } from '@bot/installations';
import { freePort, withClient } from '../pg-admin';
import { candidateRedisUrl, redisAnswers } from '../test-redis';
import { TEST_PG_ADMIN_URL, TEST_PG_TEMPLATE, TEST_REDIS_URL, TEST_RUN_ID, urlForDatabase } from './test-database-env';

interface GlobalTestDatabase {
  stop(): Promise<void>;
}

declare global {
  // eslint-disable-next-line no-var
  var __BOT_TEST_DATABASE__: GlobalTestDatabase | undefined;
}

/**
 * Jest global setup: uses the server of DATABASE_URL when set, otherwise starts an embedded PostgreSQL in a
 * temp dir; then builds a migrated template database that every test file clones into its own database, and
 * looks once for a Redis (for the tests of the Redis rate-limit path).
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  let adminUrl: string;
  let destroyServer = async () => undefined as void;
  let dataRoot: string | undefined;

  if (process.env['DATABASE_URL']) {
    adminUrl = process.env['DATABASE_URL'];
    process.stdout.write(`\n[test] using PostgreSQL from DATABASE_URL (${new URL(adminUrl).host})\n`);
  } else {
    dataRoot = mkdtempSync(join(tmpdir(), 'bot-test-pg-'));
    chmodSync(dataRoot, 0o755);
    const server = await ensureEmbeddedPostgres({
      dataDir: join(dataRoot, 'data'),
      port: await freePort(),
      database: 'postgres',
      ephemeral: true,
      // In Jest's process group: an interrupted run (Ctrl-C) takes the server down with it.
      detached: false,
    }).catch((error: Error) => {
      // One line instead of a stack: the message says why and what to do.
      if (error instanceof EmbeddedPostgresError) throw Object.assign(new Error(error.message), { stack: error.message });
      throw error;
    });
    adminUrl = server.url;
    destroyServer = server.destroy;
    process.stdout.write(`\n[test] started embedded PostgreSQL on ${new URL(adminUrl).host}\n`);
  }

  const template = `bot_tmpl_${runId}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${template}`));
  const dataSource = new DataSource({
    type: 'postgres',
    url: urlForDatabase(adminUrl, template),
    migrations: SCHEMA_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  process.env[TEST_PG_ADMIN_URL] = adminUrl;
  process.env[TEST_PG_TEMPLATE] = template;
  process.env[TEST_RUN_ID] = runId;
  const redisUrl = candidateRedisUrl();
  process.env[TEST_REDIS_URL] = (await redisAnswers(redisUrl)) ? redisUrl : '';
  if (!process.env[TEST_REDIS_URL]) process.stdout.write(`[test] no Redis at ${redisUrl}: Redis-path tests are skipped${process.env['CI'] ? ' (and fail under CI)' : ''}\n`);

  globalThis.__BOT_TEST_DATABASE__ = {
    stop: async () => {
      await withClient(adminUrl, async (client) => {
        const { rows } = await client.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
          [`bot_t_${runId}_%`, template],
        );
        for (const { datname } of rows) {
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
        }
      }).catch(() => undefined);
      await destroyServer();
      if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}
