import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, Dispatcher } from 'undici';
import type { UpstreamLocation } from './request-path';

/** An upstream exchange that failed before a response arrived. */
export class UpstreamTransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamTransportError';
  }
}

export interface UpstreamRequest {
  method: string;
  headers: Record<string, string | string[]>;
  /** None, bytes already read, or a stream that is sent as it arrives. */
  body?: Buffer | Readable;
  /** Longest wait for the answer's headers once the request is sent, and between two chunks of its body. */
  timeoutMs: number;
}

/** An upstream answer whose headers arrived; the body is still streaming. */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** Connections per platform origin; more requests than this wait in the pool's queue. */
const CONNECTIONS_PER_ORIGIN = 128;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The connection pools to the platforms: an undici Agent (one keep-alive pool per origin, no pipelining, so a
 * slow answer never holds up another). undici's client does less per request than `node:http`'s (no
 * ClientRequest/socket event wiring per call), which is most of what a forwarded call costs.
 */
@Injectable()
export class UpstreamTransport implements OnModuleDestroy {
  private readonly agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, pipelining: 1, keepAliveTimeout: 30_000 });

  /** Sends a request; resolves with the response once its headers arrive. */
  async send(location: UpstreamLocation, upstream: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      const answer = await this.agent.request({
        origin: location.origin,
        path: location.path,
        method: upstream.method as Dispatcher.HttpMethod,
        headers: upstream.headers,
        body: upstream.body,
        headersTimeout: upstream.timeoutMs,
        bodyTimeout: upstream.timeoutMs,
      });
      return { statusCode: answer.statusCode, headers: answer.headers as IncomingHttpHeaders, body: answer.body };
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      // A body stream that failed (e.g. over the size limit) carries its own error; keep it.
      if (failure.name === 'PassThroughError') throw failure;
      if (failure.code && TIMEOUT_CODES.has(failure.code)) throw new UpstreamTransportError('timeout', `no answer within ${upstream.timeoutMs} ms`);
      throw new UpstreamTransportError('network', networkReason(failure));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.destroy();
  }
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) where undici wrapped one, else its own. */
function networkReason(error: NodeJS.ErrnoException): string {
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  return cause?.code ?? error.code ?? 'connection failed';
}
