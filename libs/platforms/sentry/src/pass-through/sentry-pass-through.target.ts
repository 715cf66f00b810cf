import { AppConfig } from '@bot/config';
import { PassThroughTarget, ResponseContext, UpstreamCredential } from '@bot/pass-through';
import { Injectable } from '@nestjs/common';
import type { OutgoingHttpHeaders } from 'node:http';

/** Sentry's web API: `/api/0/...` goes to SENTRY_BASE_URL with the installation's token; `Link` pages come back here. */
@Injectable()
export class SentryPassThroughTarget extends PassThroughTarget {
  readonly platform = 'sentry' as const;
  readonly displayName = 'Sentry';

  constructor(private readonly config: AppConfig) {
    super();
  }

  // Sentry had no single-org token before this product, so there is no legacy credential.
  legacyCredential(): UpstreamCredential | undefined {
    return undefined;
  }

  route(path: string) {
    if (!path.startsWith('/api/0/')) return null;
    return { baseUrl: this.config.upstream.sentryBaseUrl, path };
  }

  /**
   * Sentry pages with `Link: <url>; rel="next"; results="true"; cursor="…"`: each URL is pointed back at this app,
   * the `results` and `cursor` attributes are kept as they are (clients stop when `results="false"`).
   */
  override rewriteResponseHeaders(headers: OutgoingHttpHeaders, context: ResponseContext): void {
    const link = headers['link'];
    if (typeof link !== 'string') return;
    const upstream = context.upstreamBaseUrl.replace(/\/+$/, '');
    headers['link'] = link.replace(/<([^>]*)>/g, (whole, url: string) =>
      url === upstream || url.startsWith(`${upstream}/`) || url.startsWith(`${upstream}?`) ? `<${context.publicBaseUrl}${url.slice(upstream.length)}>` : whole,
    );
  }

  /** Sentry's error shape (`detail`), plus the machine-readable `code`. */
  override errorBody(code: string, message: string): Record<string, unknown> {
    return { detail: message, code };
  }
}
