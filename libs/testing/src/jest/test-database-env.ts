/** Environment keys the global setup hands to test workers. */
export const TEST_PG_ADMIN_URL = 'BOT_TEST_PG_ADMIN_URL';
export const TEST_PG_TEMPLATE = 'BOT_TEST_PG_TEMPLATE';
export const TEST_RUN_ID = 'BOT_TEST_RUN_ID';
/** The Redis that answered at setup, or empty. */
export const TEST_REDIS_URL = 'BOT_TEST_REDIS_URL';

/** The URL of `database` on the server behind `adminUrl`. */
export function urlForDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
