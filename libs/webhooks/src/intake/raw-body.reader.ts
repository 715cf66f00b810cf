import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { WebhookRejectedError } from './webhook.errors';

/**
 * Reads a request's raw bytes (no body parser runs in this app: signatures cover the exact bytes) up to
 * WEBHOOK_BODY_LIMIT. A declared or actual size over the limit is a 413 before anything else happens.
 */
@Injectable()
export class RawBodyReader {
  private readonly limit: number;

  constructor(config: AppConfig) {
    this.limit = config.webhookBodyLimitBytes;
  }

  read(request: Request): Promise<Buffer> {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limit) return Promise.reject(this.tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.limit) {
          // Stop keeping bytes; Node discards the rest of the body once the 413 is answered.
          request.off('data', onData);
          reject(this.tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const incomplete = () => new WebhookRejectedError(400, 'incomplete_body', 'the connection closed before the body ended');
      request.on('data', onData);
      request.once('end', () => resolve(Buffer.concat(chunks, size)));
      // A client that hangs up mid-body is the sender's failure, not ours: Node reports it as an 'aborted' error.
      request.once('error', (error) => reject(request.complete ? error : incomplete()));
      // A client that hangs up mid-body never sends 'end'; settle so the request does not linger.
      request.once('close', () => reject(incomplete()));
    });
  }

  private tooLarge(): WebhookRejectedError {
    return new WebhookRejectedError(413, 'payload_too_large', `the body is larger than the limit of ${this.limit} bytes`);
  }
}
