import { Logger as NestjsPinoLogger, PinoLogger } from 'nestjs-pino';
import type { AppLogger } from './app-logger';

/** Nest's own start-up chatter: one line per module and route, useful only when debugging the wiring. */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/**
 * Nest's LoggerService on the app's pino logger, so `new Logger(Context)` anywhere in the code and Nest's own
 * messages come out as the same JSON lines with `context`. nestjs-pino's Logger maps Nest's calling convention
 * (context last, ExceptionsHandler's stack argument) onto pino calls; it is handed the app's pino instance
 * directly rather than a PinoLogger, which would keep the first logger of the process for every later app
 * (tests run several apps in one process) and make a child logger per request.
 */
export class NestPinoLogger extends NestjsPinoLogger {
  constructor(logger: AppLogger) {
    super(logger as unknown as PinoLogger, {});
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && WIRING_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
      return;
    }
    super.log(message, ...optionalParams);
  }
}
