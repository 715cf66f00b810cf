import { randomBytes } from 'node:crypto';
import { withClient } from './pg-admin';
import { TEST_PG_ADMIN_URL, TEST_PG_TEMPLATE, TEST_RUN_ID, urlForDatabase } from './jest/test-database-env';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, disconnecting anyone still on it. */
  drop(): Promise<void>;
}

/**
 * A fresh database of its own for one test file, on the run's PostgreSQL (embedded or DATABASE_URL),
 * cloned from the migrated template unless `migrated: false` asks for an empty one.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = required(TEST_PG_ADMIN_URL);
  const name = `bot_t_${required(TEST_RUN_ID)}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : required(TEST_PG_TEMPLATE);
  await withClient(adminUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // 55006: another worker is cloning the same template right now.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return {
    name,
    url: urlForDatabase(adminUrl, name),
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run tests through the workspace Jest config (npm test), whose global setup provides the database`);
  }
  return value;
}
