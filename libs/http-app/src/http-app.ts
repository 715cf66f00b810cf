import { AppConfig, AppName, ConfigError, loadAppConfig, readEnvironment } from '@bot/config';
import { createDataSource, EmbeddedPostgresError, resolveDatabase, RunningPostgres, runMigrations } from '@bot/database';
import { AppLogger, createAppLogger, HttpMetrics, NestPinoLogger, RequestObserver, Tracing } from '@bot/observability';
import { DynamicModule, INestApplication, LogLevel, Logger, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import type { DestinationStream, Level } from 'pino';
import { BodyParserErrorFilter } from './body-parser-error.filter';
import { AppSandbox } from './app-sandbox';
import { HttpAppModule } from './http-app.module';
import { drainRefusedBodies } from './refused-body-drain';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';

export interface HttpAppOptions {
  /** Nest-style levels to log (the most verbose one listed wins), or false for none; default LOG_LEVEL. */
  logger?: LogLevel[] | false;
  /** Where log lines go instead of stdout (tests capture them). */
  logDestination?: DestinationStream;
  /** The app's logger when the caller made it already (the process entry point); else one is made. */
  appLogger?: AppLogger;
  /**
   * `parsed` (default): JSON and form bodies are parsed up to BODY_LIMIT. `raw`: no body parser runs, so
   * the app reads the request stream itself (pass-through proxies stream it, webhooks verify the raw bytes).
   */
  bodies?: 'parsed' | 'raw';
}

/**
 * Builds (without listening) a Nest HTTP app for a module, with what every app shares: body limits, JSON logs
 * through pino, `/metrics`, tracing, and the request observer in front of the HTTP server (one log line, metrics
 * and a span per request, X-Request-Id).
 */
export async function createHttpApp(module: DynamicModule, config: AppConfig, options: HttpAppOptions = {}): Promise<INestApplication> {
  const logger = options.appLogger ?? createAppLogger(config, { destination: options.logDestination, level: pinoLevel(options.logger) });
  const app = await NestFactory.create<NestExpressApplication>(HttpAppModule.wrap(module, config), {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
  });
  if (options.bodies !== 'raw') {
    app.useBodyParser('json', { limit: config.bodyLimit });
    app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: true });
  }
  app.disable('x-powered-by');
  drainRefusedBodies(app.getHttpServer());
  // Behind an ingress the socket address is the proxy's; with TRUST_PROXY `req.ip` is the address the nearest
  // proxy saw (one hop: entries further left in X-Forwarded-For are the client's own claims, never believed).
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
  app.useGlobalFilters(new BodyParserErrorFilter(app.getHttpAdapter()));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(config.appName).setDescription(`HTTP API of ${config.appName}`).setVersion('1.0').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  new RequestObserver(logger, app.get(HttpMetrics), app.get(Tracing), config.observability.logRequests).install(app.getHttpServer() as Server);
  return app;
}

/** Argument of an app's entry point that applies pending migrations and exits (the Kubernetes migrations Job). */
export const MIGRATE_ONLY_ARG = '--migrate-only';

/**
 * Process entry point of an app: validates config (one line and exit 1 on failure), attaches the sandbox for
 * platforms without credentials (when `sandbox` is given and SANDBOX is auto), resolves the database (this
 * checkout's embedded server when DATABASE_URL is unset), listens on the configured port and shuts down cleanly
 * on SIGINT/SIGTERM/SIGHUP: the app (flushing what it holds), then the sandbox and the database it started.
 * With `--migrate-only` it applies pending migrations and exits instead of serving (no sandbox is attached).
 */
export async function runHttpApp(
  appName: AppName,
  moduleFor: (config: AppConfig) => DynamicModule,
  options: Pick<HttpAppOptions, 'bodies'> & { sandbox?: AppSandbox } = {},
): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig(appName);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${appName}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createAppLogger(config);
  // Everything logged through Nest's Logger from here on (the database start-up too) is the same JSON.
  Logger.overrideLogger(new NestPinoLogger(logger));
  // Node prints the crash itself; this puts it in the log stream as well, as one structured line.
  process.on('uncaughtExceptionMonitor', (error, origin) => logger.fatal({ err: error, origin }, 'uncaught exception; the process stops'));
  if (config.generatedDevSecrets.length > 0) {
    logger.info(`using development secrets from .data/dev-secrets.json for: ${config.generatedDevSecrets.join(', ')}`);
  }

  // `nx serve <app>` on a fresh clone: the platforms without credentials use the checkout's sandbox, the same
  // fakes `npm start` runs (started here, or reused when another process of this checkout runs them).
  const migrateOnlyRun = process.argv.includes(MIGRATE_ONLY_ARG);
  const sandbox = migrateOnlyRun ? undefined : await options.sandbox?.attach(config, (line) => logger.info(line));
  if (sandbox) config = loadAppConfig(appName, { env: { ...readEnvironment(), ...sandbox.env } });

  let database: RunningPostgres;
  try {
    database = await resolveDatabase(config, (line) => logger.info(line));
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) {
      process.stderr.write(`${appName}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (!config.databaseUrl) {
    logger.info(`${database.owned ? 'started' : 'reusing'} embedded PostgreSQL on 127.0.0.1:${config.embeddedPostgres.port}`);
  }
  const resolved: AppConfig = Object.freeze({ ...config, databaseUrl: database.url });
  if (migrateOnlyRun) {
    process.exit(await migrateOnly(resolved, logger, () => database.stop()));
  }

  let app: INestApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping`);
    await app?.close().catch((error: Error) => logger.error({ err: error }, 'close failed'));
    await sandbox?.release().catch((error: Error) => logger.error({ err: error }, 'sandbox stop failed'));
    await database.stop().catch((error: Error) => logger.error({ err: error }, 'embedded PostgreSQL stop failed'));
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGHUP', () => void shutdown('SIGHUP'));

  try {
    app = await createHttpApp(moduleFor(resolved), resolved, { bodies: options.bodies, appLogger: logger });
    await app.listen(resolved.port, '0.0.0.0');
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await sandbox?.release().catch(() => undefined);
    await database.stop().catch(() => undefined);
    logger.flush();
    process.exit(1);
  }
  const { logFormat, logRequests, metricsEnabled, otlpEndpoint } = resolved.observability;
  logger.info(
    { port: resolved.port, logFormat, logRequests, metrics: metricsEnabled, tracing: otlpEndpoint ? 'on' : 'off' },
    `${appName} listening on http://localhost:${resolved.port}`,
  );
}

async function migrateOnly(config: AppConfig, logger: AppLogger, stopDatabase: () => Promise<void>): Promise<number> {
  const dataSource = createDataSource(config.databaseUrl as string, config, 1);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    // Printed at any log level: this line is what the Job's log is read for.
    process.stdout.write(`${config.appName}: ${applied.length ? `applied ${applied.map((migration) => migration.name).join(', ')}` : 'schema up to date'}\n`);
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migrations failed');
    return 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await stopDatabase().catch(() => undefined);
  }
}

const NEST_LEVELS: Record<LogLevel, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };
const ORDER: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The pino level for Nest-style levels: the most verbose one listed. */
function pinoLevel(levels: LogLevel[] | false | undefined): Level | 'silent' | undefined {
  if (levels === undefined) return undefined;
  if (levels === false || levels.length === 0) return 'silent';
  return levels.map((level) => NEST_LEVELS[level]).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0];
}
