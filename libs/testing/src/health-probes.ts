import { AppConfig, AppName } from '@bot/config';
import { DynamicModule } from '@nestjs/common';
import { DisposablePostgres } from './disposable-postgres';
import { startTestApp, RunningTestApp } from './test-app';
import { testConfig } from './test-config';

/**
 * Registers the probe tests every app must pass: `/health` always 200, `/health/ready` 200 with the
 * database up, 503 once it is stopped and 200 again after it is back. Uses a cluster of its own.
 */
export function verifyHealthProbes(appName: AppName, moduleFor: (config: AppConfig) => DynamicModule): void {
  let postgres: DisposablePostgres;
  let running: RunningTestApp;

  beforeAll(async () => {
    postgres = await DisposablePostgres.start();
    const config = testConfig(appName, { DATABASE_URL: postgres.url });
    running = await startTestApp(moduleFor(config), config);
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await postgres?.destroy();
  }, 30_000);

  it(`${appName}: /health/ready follows the database; /health stays live`, async () => {
    const live = await fetch(`${running.url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok', service: appName });

    const ready = await fetch(`${running.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', database: 'up' });

    await postgres.stop();
    const down = await fetch(`${running.url}/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', database: 'down' });
    expect((await fetch(`${running.url}/health`)).status).toBe(200);

    await postgres.resume();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${running.url}/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  }, 60_000);
}
