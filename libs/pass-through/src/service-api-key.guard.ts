import { AppConfig } from '@bot/config';
import { ApiKeyMatcher } from '@bot/crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { PassThroughError } from './pass-through.errors';

/** Lets a request through only with `Authorization: Bearer|token <SERVICE_API_KEY>`, compared in constant time. */
@Injectable()
export class ServiceApiKeyGuard implements CanActivate {
  private readonly key: ApiKeyMatcher;

  constructor(config: AppConfig) {
    this.key = new ApiKeyMatcher(config.serviceApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const challenge = { 'www-authenticate': 'Bearer realm="bot-api"' };
    if (header.trim() === '') {
      throw new PassThroughError(401, 'service_key_required', 'send the service key: Authorization: Bearer <SERVICE_API_KEY> (or token <SERVICE_API_KEY>)', challenge);
    }
    const match = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!match || !this.key.matches(match[1])) {
      throw new PassThroughError(401, 'invalid_service_key', 'Authorization must be "Bearer <SERVICE_API_KEY>" (or "token <SERVICE_API_KEY>")', challenge);
    }
    return true;
  }
}
