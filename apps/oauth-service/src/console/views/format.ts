import { html, SafeHtml } from './html';

/** `2025-11-26 14:03 UTC` in a <time> element carrying the exact instant; an em dash for none. */
export function time(date: Date | null | undefined): SafeHtml {
  if (!date) return html`<span class="muted">—</span>`;
  const iso = date.toISOString();
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** "4 min", "3 h", "2 d": a duration for people. */
export function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** "3 h ago" / "in 20 min" relative to `now`, with the exact time as its title. */
export function relative(date: Date | null | undefined, now: Date): SafeHtml {
  if (!date) return html`<span class="muted">—</span>`;
  const ms = date.getTime() - now.getTime();
  const iso = date.toISOString();
  const words = Math.abs(ms) < 5000 ? 'just now' : ms >= 0 ? `in ${duration(ms)}` : `${duration(ms)} ago`;
  return html`<time datetime="${iso}" title="${iso.slice(0, 19).replace('T', ' ')} UTC">${words}</time>`;
}

/** A token expiry: when, and whether it has passed. */
export function expiry(date: Date | null, now: Date): SafeHtml {
  if (!date) return html`<span class="muted">does not expire</span>`;
  return date.getTime() <= now.getTime() ? html`<span>expired ${relative(date, now)}</span>` : relative(date, now);
}

/** A status as a badge with its words (never colour alone). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;
}

/** A count with thousands separators. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** JSON for reading, cut at `maxChars` characters with a note. */
export function prettyJson(value: unknown, maxChars = 20_000): { text: string; truncated: boolean } {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.length > maxChars ? { text: text.slice(0, maxChars), truncated: true } : { text, truncated: false };
}

/** A query string from the set values only (`?a=1&b=2`, or empty). */
export function query(params: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
