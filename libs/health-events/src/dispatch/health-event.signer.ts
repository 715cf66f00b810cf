import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';

/** The cryptography of health events: body signatures and new endpoint secrets. */
@Injectable()
export class HealthEventSigner {
  /** `sha256=<hex HMAC-SHA256 of the body>`, the value of `X-Signature-256` (GitHub's webhook format). */
  signature(secret: string, body: string): string {
    return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }

  /** A new endpoint secret: 32 random bytes, base64url, prefixed so it is recognisable in a secret store. */
  newSecret(): string {
    return `whsec_${randomBytes(32).toString('base64url')}`;
  }
}
