import { Injectable } from '@nestjs/common';
import { UpstreamError } from './upstream.error';

export interface PlatformRequest {
  platform: string;
  /** What the call is for, used in error messages ("token exchange", "installation lookup"). */
  purpose: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  timeoutMs: number;
}

export interface PlatformResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** The one door through which the providers reach a platform over HTTP; maps every failure to UpstreamError. */
@Injectable()
export class PlatformHttpClient {
  /** Sends a request; resolves with any HTTP status, rejects with UpstreamError on timeout or network failure. */
  async send(request: PlatformRequest): Promise<PlatformResponse> {
    const headers: Record<string, string> = { 'user-agent': 'bot-installations/1.0', ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new UpstreamError(request.platform, 'timeout', `${request.platform} ${request.purpose} timed out after ${request.timeoutMs} ms`);
      }
      throw new UpstreamError(request.platform, 'network', `${request.platform} ${request.purpose} failed: could not reach ${new URL(request.url).host}`);
    }
  }

  /** Sends a request and parses a JSON object or array from a 2xx answer; anything else is an UpstreamError. */
  async sendForJson<T>(request: PlatformRequest, accept: (status: number) => boolean = (s) => s >= 200 && s < 300): Promise<{ status: number; body: T }> {
    const response = await this.send(request);
    const body = parseJson(response.text);
    if (!accept(response.status)) {
      const code = typeof body === 'object' && body ? (body as Record<string, unknown>)['error'] : undefined;
      throw new UpstreamError(
        request.platform,
        'http',
        `${request.platform} ${request.purpose} failed with HTTP ${response.status}${typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? ` (${code})` : ''}`,
        response.status,
        typeof code === 'string' ? code : undefined,
      );
    }
    if (body === undefined || typeof body !== 'object' || body === null) {
      throw new UpstreamError(request.platform, 'malformed', `${request.platform} ${request.purpose} answered with malformed JSON`, response.status);
    }
    return { status: response.status, body: body as T };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
