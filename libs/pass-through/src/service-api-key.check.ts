import { AppConfig } from '@bot/config';
import { ApiKeyMatcher } from '@bot/crypto';
import { Injectable } from '@nestjs/common';
import { PassThroughError } from './pass-through.errors';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="bot-api"' };
/** Distinct accepted header values remembered (`Bearer <key>` and `token <key>`, in a few spellings). */
const ACCEPTED_KEPT = 16;

/** Lets a request through only with `Authorization: Bearer|token <SERVICE_API_KEY>`, compared in constant time. */
@Injectable()
export class ServiceApiKeyCheck {
  private readonly key: ApiKeyMatcher;
  /**
   * Header values that already passed the constant-time check, so the key is digested once per spelling rather
   * than once per request. A value is only ever added after it matched; looking one up is a hash-table probe,
   * whose timing depends on the presented value's own hash, not on how much of it matches the key.
   */
  private readonly accepted = new Set<string>();

  constructor(config: AppConfig) {
    this.key = new ApiKeyMatcher(config.serviceApiKey);
  }

  /** Throws a 401 PassThroughError unless `authorization` carries the service key. */
  check(authorization: string | undefined): void {
    if (authorization !== undefined && this.accepted.has(authorization)) return;
    const header = authorization ?? '';
    if (header.trim() === '') {
      throw new PassThroughError(401, 'service_key_required', 'send the service key: Authorization: Bearer <SERVICE_API_KEY> (or token <SERVICE_API_KEY>)', CHALLENGE);
    }
    const match = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!match || !this.key.matches(match[1])) {
      throw new PassThroughError(401, 'invalid_service_key', 'Authorization must be "Bearer <SERVICE_API_KEY>" (or "token <SERVICE_API_KEY>")', CHALLENGE);
    }
    if (this.accepted.size < ACCEPTED_KEPT) this.accepted.add(header);
  }
}
