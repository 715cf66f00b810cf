import { AppConfig } from '@bot/config';
import { createHttpApp, HttpAppOptions } from '@bot/http-app';
import { DynamicModule, INestApplication } from '@nestjs/common';

export interface RunningTestApp {
  app: INestApplication;
  /** Base URL on loopback, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Starts an app module over real HTTP on a free loopback port, configured exactly as in production. */
export async function startTestApp(
  module: DynamicModule,
  config: AppConfig,
  port = 0,
  options: Pick<HttpAppOptions, 'bodies' | 'logDestination' | 'logger'> = {},
): Promise<RunningTestApp> {
  // Quiet unless the test captures the log: then at LOG_LEVEL, as in production.
  const app = await createHttpApp(module, config, { logger: options.logDestination ? undefined : ['error'], ...options });
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
