/** Jest global teardown: drops this run's databases and stops the embedded server if the setup started one. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__BOT_TEST_DATABASE__?.stop();
}
