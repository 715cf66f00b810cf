import { AppConfig } from '@bot/config';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PassThroughError } from './pass-through.errors';

/** Lets a request through only with `Authorization: Bearer|token <SERVICE_API_KEY>`, compared in constant time. */
@Injectable()
export class ServiceApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: AppConfig) {
    this.expected = digest(config.serviceApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header);
    // Hashing first gives equal lengths, so the comparison time says nothing about the key.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new PassThroughError(401, 'invalid_service_key', 'Authorization must be "Bearer <SERVICE_API_KEY>" (or "token <SERVICE_API_KEY>")', {
        'www-authenticate': 'Bearer realm="bot-api"',
      });
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
