import { readdirSync, readFileSync } from 'node:fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

/** One closed-loop autocannon run, with latencies kept at microsecond resolution. */
export interface LoadResult {
  rps: number;
  /** Latency percentiles in milliseconds with µs resolution (autocannon's own are whole milliseconds). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  ok: number;
  sent: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  /** Builds each request (method, headers, body) for runs whose every request differs. */
  setupRequest?: (request: { body?: string; headers?: Record<string, string> }) => unknown;
}

/**
 * Drives `url` with `connections` connections for `duration` seconds. Latency is taken from autocannon's
 * per-response `process.hrtime` duration (a float in ms) through its `response` event, for 2xx answers only;
 * percentiles come from the sorted samples, so sub-millisecond differences between paths are visible.
 */
export async function loadRun(options: LoadOptions): Promise<LoadResult> {
  let samples = new Float64Array(1 << 16);
  let count = 0;
  const tracker = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    pipelining: 1,
    ...(options.setupRequest
      ? { requests: [{ method: options.method ?? 'POST', setupRequest: options.setupRequest }] }
      : { method: options.method ?? 'GET', headers: options.headers ?? {} }),
  });
  tracker.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status < 200 || status > 299) return;
    if (count === samples.length) {
      const grown = new Float64Array(samples.length * 2);
      grown.set(samples);
      samples = grown;
    }
    samples[count++] = ms;
  });
  const result = await tracker;
  const sorted = samples.subarray(0, count).sort();
  const at = (quantile: number) => (count === 0 ? NaN : sorted[Math.min(count - 1, Math.floor(quantile * count))]);
  return {
    rps: result['2xx'] / options.duration,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: count === 0 ? NaN : sorted[count - 1],
    ok: result['2xx'],
    sent: result.requests.sent,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Resident set size of a process in MiB (Linux `/proc`), or NaN when it cannot be read. */
export function rssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return kib / 1024;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux `/proc`), or NaN. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the largest value seen. */
export function sampleRss(pid: number | undefined, everyMs = 500): { stop(): number[] } {
  const samples: number[] = [rssMiB(pid)];
  const timer = setInterval(() => samples.push(rssMiB(pid)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      samples.push(rssMiB(pid));
      return samples;
    },
  };
}

/** Milliseconds with three decimals (µs). */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '–';
}

/** CPU time (ms) used so far by every descendant of `rootPid` whose command name is `command` (e.g. the PostgreSQL server's processes). */
export function descendantsCpuMs(rootPid: number, command: string): number {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      names.set(Number(entry), stat.slice(open + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const descends = (pid: number): boolean => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, name] of names) if (name === command && descends(pid)) total += cpuMs(pid);
  return total;
}
