import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type ExclusiveRun<T> = { ran: true; result: T } | { ran: false };

/**
 * Exactly one runner of a named job across every process on the database: a session-level PostgreSQL advisory
 * lock taken with `pg_try_advisory_lock` on a connection held for the run. A process that dies loses its session
 * and with it the lock, so a crash never blocks the job.
 */
@Injectable()
export class SingleRunnerLock {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` when no other runner holds `name`; answers `{ ran: false }` at once otherwise. */
  async runExclusive<T>(name: string, work: () => Promise<T>): Promise<ExclusiveRun<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `job:${name}`;
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key])) as { locked: boolean }[];
      if (!locked) return { ran: false };
      try {
        return { ran: true, result: await work() };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
