import { Injectable } from '@nestjs/common';

export interface SendOutcome {
  /** A 2xx answer. */
  ok: boolean;
  /** The HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  /** Why it failed, without the URL's path or query (which may hold a token). */
  error: string | null;
}

/** POSTs one signed event body to an endpoint; the HTTP side of the dispatcher. */
@Injectable()
export class HealthEventSender {
  /** Sends `body` with `headers`; a redirect counts as a failure (a receiver must answer at its registered URL). */
  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendOutcome> {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, status: null, error: `no answer within ${timeoutMs} ms` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, status: null, error: `could not reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
    }
    // The answer's body is not used; cancelling frees the connection without reading a large one.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, error: null };
    return { ok: false, status: response.status, error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` };
  }
}
