/** Anything that runs one parameterised statement and returns its rows: a pg Pool/Client or a TypeORM manager. */
export interface SqlExecutor {
  /**
   * `name` asks for a prepared statement (parsed and planned once per connection, then only bound and executed);
   * executors that cannot prepare run the text as usual. One name must always stand for the same text.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
}

interface PgQueryable {
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
}

interface TypeOrmQueryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  transaction<T>(work: (manager: TypeOrmQueryable) => Promise<T>): Promise<T>;
}

/** Executor over a `pg` Pool (transactions take a client of their own) or a connected Client (used as it is); named statements are prepared. */
export function pgExecutor(pg: PgQueryable | PgPoolLike): SqlExecutor {
  return {
    query: async <T>(sql: string, params?: unknown[], name?: string) => (await pg.query({ text: sql, values: params, name })).rows as T[],
    transaction: async <T>(work: (executor: SqlExecutor) => Promise<T>) => {
      const pooled = 'connect' in pg && 'totalCount' in pg ? await pg.connect() : undefined;
      const client: PgQueryable = pooled ?? pg;
      let broken: Error | undefined;
      try {
        await client.query({ text: 'BEGIN' });
        const result = await work(pgExecutor(client));
        await client.query({ text: 'COMMIT' });
        return result;
      } catch (error) {
        await client.query({ text: 'ROLLBACK' }).catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        // A connection whose ROLLBACK failed may be broken: the pool discards it instead of reusing it.
        pooled?.release(broken);
      }
    },
  };
}

/**
 * Executor over a TypeORM DataSource or EntityManager (inside a transaction, its manager). Every statement of
 * the queue is a SELECT at the top level (writes sit in CTEs), so TypeORM returns plain rows for all of them.
 * TypeORM cannot prepare: names are ignored.
 */
export function typeOrmExecutor(orm: TypeOrmQueryable): SqlExecutor {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await orm.query(sql, params)) as T[],
    transaction: <T>(work: (executor: SqlExecutor) => Promise<T>) => orm.transaction((manager) => work(typeOrmExecutor(manager))),
  };
}
