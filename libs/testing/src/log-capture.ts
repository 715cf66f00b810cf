/** One JSON log line as the apps write it. */
export interface LogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

/** A pino destination that keeps every line in memory, for tests that assert on what an app logged. */
export class LogCapture {
  /** Every line written, raw. */
  readonly raw: string[] = [];

  /** The pino destination: pino calls `write` with one serialised line. */
  write(line: string): void {
    this.raw.push(line);
  }

  /** The lines parsed as JSON (the apps log JSON unless LOG_FORMAT=pretty). */
  lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }

  /** Lines whose fields include `fields`. */
  find(fields: Record<string, unknown>): LogLine[] {
    return this.lines().filter((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
  }

  /** Everything written, as one string (for secret scans). */
  text(): string {
    return this.raw.join('');
  }
}
