import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';

/** A host[:port] and nothing else: a name, an IPv4 address or a bracketed IPv6 address. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The base URL agents reach this app at, for URLs written into answers (`Link` pagination). The configured
 * `<APP>_PUBLIC_URL` wins; behind a proxy with `TRUST_PROXY=true` it is `X-Forwarded-Proto`/`X-Forwarded-Host`;
 * outside production the request's `Host`. In production with neither, none: a caller-supplied header must not
 * decide where an agent sends its service key next.
 */
@Injectable()
export class PublicBaseUrl {
  constructor(private readonly config: AppConfig) {}

  /** The base URL (no trailing slash) for a request with these headers, or undefined. */
  of(headers: IncomingHttpHeaders): string | undefined {
    if (this.config.publicUrl) return this.config.publicUrl;
    if (this.config.trustProxy) {
      const host = first(headers['x-forwarded-host']) ?? first(headers.host);
      const proto = first(headers['x-forwarded-proto'])?.toLowerCase() === 'https' ? 'https' : 'http';
      if (host && HOST.test(host)) return `${proto}://${host}`;
      return undefined;
    }
    if (this.config.nodeEnv === 'production') return undefined;
    const host = first(headers.host);
    return `http://${host && HOST.test(host) ? host : `localhost:${this.config.port}`}`;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const head = text?.split(',')[0].trim();
  return head ? head : undefined;
}
