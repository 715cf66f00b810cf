/** One sample of a Prometheus text exposition. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed `/metrics` answer. */
export class MetricsSnapshot {
  constructor(readonly samples: MetricSample[]) {}

  /** Sum of the samples of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  /** True when at least one sample of `name` exists. */
  has(name: string): boolean {
    return this.samples.some((sample) => sample.name === name);
  }
}

/** Parses Prometheus text format (0.0.4): `name{label="value",…} number` lines; comments skipped. */
export function parseMetrics(text: string): MetricsSnapshot {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value.replace(/\\(.)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return new MetricsSnapshot(samples);
}

/** GETs `<baseUrl>/metrics` (with the bearer token when given) and parses it; throws unless 200. */
export async function scrapeMetrics(baseUrl: string, token?: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
  return parseMetrics(await response.text());
}
