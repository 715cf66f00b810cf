import { AppConfig } from '@bot/config';
import { PassThroughTarget, ResponseContext, UpstreamCredential } from '@bot/pass-through';
import { Injectable } from '@nestjs/common';
import type { OutgoingHttpHeaders } from 'node:http';
import { sentryErrorShape } from './sentry-error.shape';

/** Sentry's web API: `/api/0/...` goes to SENTRY_BASE_URL with the installation's token; `Link` pages come back here. */
@Injectable()
export class SentryPassThroughTarget extends PassThroughTarget {
  readonly platform = 'sentry' as const;
  readonly displayName = 'Sentry';
  readonly errorShape = sentryErrorShape;

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
   * Sentry pages with `Link: <url>; rel="next"; results="true"; cursor="…"`: each URL is pointed back at this app
   * (keeping the `/installations/{id}` prefix when the request used it), the `results` and `cursor` attributes are
   * kept as they are (clients stop when `results="false"`).
   */
  override rewriteResponseHeaders(headers: OutgoingHttpHeaders, context: ResponseContext): void {
    const link = headers['link'];
    if (typeof link !== 'string') return;
    const publicBase = context.publicBaseUrl;
    // Without a public URL an upstream link would send the agent, with its service key, straight to Sentry.
    if (!publicBase) {
      delete headers['link'];
      return;
    }
    const upstream = context.upstreamBaseUrl.replace(/\/+$/, '');
    headers['link'] = link.replace(/<([^>]*)>/g, (whole, url: string) =>
      url === upstream || url.startsWith(`${upstream}/`) || url.startsWith(`${upstream}?`) ? `<${publicBase}${url.slice(upstream.length)}>` : whole,
    );
  }
}
