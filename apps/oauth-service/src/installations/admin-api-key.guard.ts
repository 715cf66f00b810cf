import { AppConfig } from '@bot/config';
import { ApiKeyMatcher } from '@bot/crypto';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';

/** Requires `Authorization: Bearer <ADMIN_API_KEY>`, compared in constant time. */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  private readonly key: ApiKeyMatcher;

  constructor(config: AppConfig) {
    this.key = new ApiKeyMatcher(config.adminApiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !this.key.matches(match[1])) {
      throw new UnauthorizedException('a valid admin API key is required: Authorization: Bearer <ADMIN_API_KEY>');
    }
    return true;
  }
}
