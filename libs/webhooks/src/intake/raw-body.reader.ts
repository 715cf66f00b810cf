import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
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

  read(request: IncomingMessage): Promise<Buffer> {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limit) return Promise.reject(this.tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.limit) {
          // Stop keeping bytes; Node discards the rest of the body once the 413 is answered.
          finish();
          reject(this.tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const incomplete = () => new WebhookRejectedError(400, 'incomplete_body', 'the connection closed before the body ended');
      const onEnd = () => {
        finish();
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      };
      // A client that hangs up mid-body is the sender's failure, not ours: Node reports it as an 'aborted' error.
      const onError = (error: Error) => {
        finish();
        reject(request.complete ? error : incomplete());
      };
      // A client that hangs up mid-body never sends 'end'; settle so the request does not linger. (The error is
      // only built then: every request closes, and an Error's stack trace is not free.)
      const onClose = () => {
        finish();
        reject(incomplete());
      };
      const finish = () => {
        request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      };
      request.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
    });
  }

  private tooLarge(): WebhookRejectedError {
    return new WebhookRejectedError(413, 'payload_too_large', `the body is larger than the limit of ${this.limit} bytes`);
  }
}
