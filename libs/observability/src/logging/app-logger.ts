import type { AppConfig } from '@bot/config';
import { trace } from '@opentelemetry/api';
import { hostname } from 'node:os';
import pino, { DestinationStream, Level, Logger, LoggerOptions } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
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
  const destination = options.destination ?? (json ? stdoutInBatches() : prettyStdout());
  const shared: LoggerOptions = {
    level: options.level ?? PINO_LEVELS[config.logLevel],
    base: { app: config.appName, pid: process.pid, hostname: hostname() },
    timestamp: isoTimeOfThisMillisecond,
    // Level names ("warn") rather than numbers in JSON, so a query or grep needs no lookup table.
    formatters: json ? { level: (label) => ({ level: label }) } : {},
    hooks: { streamWrite: (line) => scrubber.scrub(line) },
    mixin: config.observability.otlpEndpoint ? traceIds : undefined,
  };
  const logger = pino({ ...shared, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, destination);
  // Request lines have a fixed shape (id, method, route pattern, status, duration, platform, installation id,
  // refusal reason, trace id) with no credential-named field, so they skip the redaction paths (~80 wildcard paths
  // walked per object, more than the rest of a forwarded call). Of their fields only two carry text from outside:
  // the caller's X-Request-Id and the refusal reason, which the observer scrubs before logging; the others are
  // route patterns, numbers, ids we made and platform names. So the whole-line scrubber, a regular expression over
  // every serialised line, is not run on them either.
  (logger as LoggerWithRequestLines)[REQUEST_LINES] = { logger: pino({ ...shared, hooks: {} }, destination), scrub: (text) => scrubber.scrub(text) };
  return logger;
}

/** The logger for per-request lines and how to scrub the caller-given text that goes into them. */
export interface RequestLineLogger {
  logger: AppLogger;
  /** The text with every secret replaced (the scrubber the app's other lines pass through). */
  scrub(text: string): string;
}

const REQUEST_LINES = Symbol('bot.requestLines');
type LoggerWithRequestLines = AppLogger & { [REQUEST_LINES]?: RequestLineLogger };

/**
 * The logger for per-request lines (RequestObserver): `logger`'s sibling on the same stream without redaction
 * paths or the whole-line scrubber, or `logger` itself (whose lines are scrubbed whole) when it was made elsewhere.
 */
export function requestLineLogger(logger: AppLogger): RequestLineLogger {
  return (logger as LoggerWithRequestLines)[REQUEST_LINES] ?? { logger, scrub: (text) => text };
}

let lastMillisecond = -1;
let lastIsoTime = '';

/**
 * pino's `"time"` as an ISO string, formatted once per millisecond: under load many lines share a millisecond, and
 * `Date#toISOString` was a visible share of a request line's cost.
 */
function isoTimeOfThisMillisecond(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastIsoTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastIsoTime;
}

/**
 * JSON lines to stdout, written asynchronously in batches of at least 4 KiB or every 100 ms, whichever comes
 * first: under load a request line per call would otherwise be one write(2) per request. pino flushes what is
 * pending when the process exits.
 */
function stdoutInBatches(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
}

function prettyStdout(): DestinationStream {
  // Loaded only for a development terminal: production's JSON lines need none of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as (options: PrettyOptions) => DestinationStream;
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
