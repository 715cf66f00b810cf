/**
 * The embedded PostgreSQL cannot be used as configured. The message is one line that says why and what to do;
 * entry points print it as it is, without a stack trace.
 */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}
