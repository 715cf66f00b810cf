/** Anything that runs one parameterised statement and returns its rows: a pg Pool/Client or a TypeORM manager. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

interface PgQueryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

interface TypeOrmQueryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Executor over a `pg` Pool or Client. */
export function pgExecutor(pg: PgQueryable): SqlExecutor {
  return { query: async <T>(sql: string, params?: unknown[]) => (await pg.query(sql, params)).rows as T[] };
}

/**
 * Executor over a TypeORM DataSource or EntityManager (inside a transaction, its manager). Every statement of
 * the queue is a SELECT at the top level (writes sit in CTEs), so TypeORM returns plain rows for all of them.
 */
export function typeOrmExecutor(orm: TypeOrmQueryable): SqlExecutor {
  return { query: async <T>(sql: string, params?: unknown[]) => (await orm.query(sql, params)) as T[] };
}
