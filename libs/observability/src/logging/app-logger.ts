import type { AppConfig } from '@bot/config';
import { trace } from '@opentelemetry/api';
import { hostname } from 'node:os';
import pino, { DestinationStream, Level, Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { configuredSecrets, REDACT_PATHS } from './log-redaction';
import { LogScrubber } from './log-scrubber';

export type AppLogger = Logger;

export interface AppLoggerOptions {
  /** Where lines go instead of stdout (tests capture them). */
  destination?: DestinationStream;
  /** Overrides LOG_LEVEL; `silent` logs nothing. */
  level?: Level | 'silent';
}

/** LOG_LEVEL (Nest's names) as pino levels. */
const PINO_LEVELS: Record<AppConfig['logLevel'], Level> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * The app's one pino logger: JSON lines (`LOG_FORMAT=json`, the default outside development) or pretty text,
 * with `app`, `pid` and `hostname` on every line, an ISO time, the redaction paths, and the scrubber for secret
 * values in message texts. With tracing on, every line written inside a span carries its `traceId`/`spanId`.
 */
export function createAppLogger(config: AppConfig, options: AppLoggerOptions = {}): AppLogger {
  const json = config.observability.logFormat === 'json';
  const scrubber = new LogScrubber(configuredSecrets(config));
  return pino(
    {
      level: options.level ?? PINO_LEVELS[config.logLevel],
      base: { app: config.appName, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("warn") rather than numbers in JSON, so a query or grep needs no lookup table.
      formatters: json ? { level: (label) => ({ level: label }) } : {},
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
      mixin: config.observability.otlpEndpoint ? traceIds : undefined,
    },
    options.destination ?? (json ? pino.destination({ dest: 1, sync: false }) : prettyStdout()),
  );
}

function prettyStdout(): DestinationStream {
  return pinoPretty({
    destination: 1,
    // Synchronous, in this thread: no worker thread (as a pino transport would start) for a development terminal.
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

function traceIds(): object {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
