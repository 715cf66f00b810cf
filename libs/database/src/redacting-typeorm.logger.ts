import { Logger } from '@nestjs/common';
import { Logger as TypeOrmLogger } from 'typeorm';

/**
 * SQLSTATE classes of failures that are not a fault of our SQL: the callers handle conflicts, lock timeouts and
 * cancellations, and an unreachable or restarting server is an outage (`/health/ready` and the alerts say so).
 */
const OPERATIONAL_SQLSTATES = [/^08/, /^23/, /^40/, /^53/, /^55P03$/, /^57/];

/**
 * TypeORM's own loggers print query parameters, which may hold tokens or OAuth codes. This one reports
 * failures and slow queries by SQL text and SQLSTATE only, as structured fields of the app's JSON log: a failure
 * of our own SQL (syntax, a missing column) is an error, an operational one (conflict, timeout, no connection) a
 * warning.
 */
export class RedactingTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {
    // Successful queries are not logged.
  }

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    const sqlState = typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
    const line = { msg: `query failed: ${message}`, sqlState, query: sqlText(query) };
    const operational = typeof sqlState !== 'string' || OPERATIONAL_SQLSTATES.some((state) => state.test(sqlState));
    if (operational) this.logger.warn(line);
    else this.logger.error(line);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: `slow query (${time} ms)`, durationMs: time, query: sqlText(query) });
  }

  logSchemaBuild(): void {
    // Schema changes only happen through migrations, which log their own names below.
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

function sqlText(query: string): string {
  return query.replace(/\s+/g, ' ').slice(0, 300);
}
