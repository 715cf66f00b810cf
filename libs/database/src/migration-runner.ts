import { Client } from 'pg';
import { DataSource, Migration } from 'typeorm';

// Arbitrary constant shared by every process of the product: only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 740_512_001;

/** Applies pending migrations, serialised across processes by a PostgreSQL advisory lock. */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  return withMigrationLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
}

/** Reverts the most recently applied migration, under the same lock. */
export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  await withMigrationLock(dataSource, () => dataSource.undoLastMigration({ transaction: 'each' }));
}

async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const options = dataSource.options as { url?: string };
  const client = new Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
