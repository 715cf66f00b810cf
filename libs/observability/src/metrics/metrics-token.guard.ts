import { AppConfig } from '@bot/config';
import { ApiKeyMatcher } from '@bot/crypto';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';

/** With METRICS_TOKEN set, lets a scrape through only with `Authorization: Bearer <METRICS_TOKEN>` (constant-time compare). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly token?: ApiKeyMatcher;

  constructor(config: AppConfig) {
    if (config.observability.metricsToken) this.token = new ApiKeyMatcher(config.observability.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const http = context.switchToHttp();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(http.getRequest<Request>().headers.authorization ?? '');
    if (match && this.token.matches(match[1])) return true;
    http.getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="metrics"');
    throw new UnauthorizedException('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
  }
}
