import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent as HttpAgent, IncomingMessage, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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
  headers: OutgoingHttpHeaders;
  /** None, bytes already read, or a stream that is piped as it arrives. */
  body?: Buffer | Readable;
  /** Socket idle limit: no byte in either direction for this long aborts the exchange. */
  timeoutMs: number;
}

/** The HTTP(S) connection pools to the platforms; keep-alive so a forwarded call costs no new handshake. */
@Injectable()
export class UpstreamTransport implements OnModuleDestroy {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  /** Sends a request; resolves with the response once its headers arrive (the body is still streaming). */
  send(url: URL, upstream: UpstreamRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const https = url.protocol === 'https:';
      const send = https ? httpsRequest : httpRequest;
      const request = send(url, { method: upstream.method, headers: upstream.headers, agent: https ? this.httpsAgent : this.httpAgent, timeout: upstream.timeoutMs });
      request.once('response', resolve);
      request.once('timeout', () => request.destroy(new UpstreamTransportError('timeout', `no answer within ${upstream.timeoutMs} ms`)));
      request.once('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof UpstreamTransportError) return reject(error);
        // A body stream that failed (e.g. over the size limit) carries its own error; keep it.
        if (error.name === 'PassThroughError') return reject(error);
        reject(new UpstreamTransportError('network', error.code ?? 'connection failed'));
      });
      if (upstream.body instanceof Readable) {
        pipeline(upstream.body, request).catch((error: Error) => request.destroy(error));
      } else {
        request.end(upstream.body);
      }
    });
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
