import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';

/** A health event as endpoints receive it (docs/events.md). */
export interface ReceivedHealthEvent {
  id: string;
  type: string;
  occurred_at: string;
  sent_at: string;
  platform: string | null;
  installation_id: string | null;
  org: { id: string | null; name: string | null };
  data: Record<string, unknown>;
}

export type Verification = { ok: true; event: ReceivedHealthEvent } | { ok: false; status: 400 | 401; reason: string };

/** Deliveries sent longer ago than this (or this far in the future) are refused as replays. */
export const TOLERANCE_SECONDS = 300;

/**
 * Checks one delivery the way docs/events.md tells receivers to: the HMAC-SHA256 of the raw body under the
 * endpoint's secret, compared in constant time, then the signed `sent_at` within the tolerance.
 */
export function verifyHealthEvent(secret: string, rawBody: Buffer, headers: IncomingHttpHeaders, now = new Date()): Verification {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  const given = Buffer.from(String(headers['x-signature-256'] ?? ''));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: 'bad or missing X-Signature-256' };
  let event: ReceivedHealthEvent;
  try {
    event = JSON.parse(rawBody.toString('utf8')) as ReceivedHealthEvent;
  } catch {
    return { ok: false, status: 400, reason: 'the body is not JSON' };
  }
  const age = Math.abs(now.getTime() - Date.parse(event.sent_at)) / 1000;
  if (!(age <= TOLERANCE_SECONDS)) return { ok: false, status: 401, reason: `sent_at is ${Math.round(age)} s away from now (replay?)` };
  return { ok: true, event };
}

/**
 * An example endpoint: verifies every delivery, answers 2xx quickly, and hands each event id to `onEvent` once
 * (a redelivery of an id it has seen is acknowledged and skipped). Remembers the last 10,000 ids in memory; a real
 * receiver keeps them in its database.
 */
export function createHealthEventReceiver(options: { secret: string; onEvent: (event: ReceivedHealthEvent) => void; onRefused?: (reason: string) => void }): Server {
  const seen = new Set<string>();
  return createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1024 * 1024) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > 1024 * 1024) {
        response.writeHead(413).end();
        return;
      }
      const result = verifyHealthEvent(options.secret, Buffer.concat(chunks), request.headers);
      if (!result.ok) {
        options.onRefused?.(result.reason);
        response.writeHead(result.status, { 'content-type': 'text/plain' }).end(result.reason);
        return;
      }
      if (!seen.has(result.event.id)) {
        seen.add(result.event.id);
        if (seen.size > 10_000) seen.delete(seen.values().next().value as string);
        options.onEvent(result.event);
      }
      response.writeHead(204).end();
    });
  });
}
