import { AppConfig } from '@bot/config';
import { PassThroughTarget, ResponseContext, UpstreamCredential } from '@bot/pass-through';
import { Injectable } from '@nestjs/common';
import { gitHubErrorShape } from './github-error.shape';
import type { OutgoingHttpHeaders } from 'node:http';

/** GitHub REST: every path goes to GITHUB_API_BASE_URL; pagination links come back pointing at github-api. */
@Injectable()
export class GitHubPassThroughTarget extends PassThroughTarget {
  readonly platform = 'github' as const;
  readonly displayName = 'GitHub';
  readonly errorShape = gitHubErrorShape;

  constructor(private readonly config: AppConfig) {
    super();
  }

  legacyCredential(): UpstreamCredential | undefined {
    const token = this.config.legacy.githubToken;
    return token ? { kind: 'legacy', authorization: `Bearer ${token}`, baseUrl: this.config.upstream.githubApiBaseUrl } : undefined;
  }

  route(path: string, credential: UpstreamCredential) {
    return { baseUrl: credential.kind === 'legacy' ? credential.baseUrl : this.config.upstream.githubApiBaseUrl, path };
  }

  override readonly defaultRequestHeaders = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    // GitHub refuses requests without a User-Agent.
    'user-agent': 'bot-github-api',
  };

  override rewriteResponseHeaders(headers: OutgoingHttpHeaders, context: ResponseContext): void {
    const link = headers['link'];
    if (typeof link !== 'string') return;
    const publicBase = context.publicBaseUrl;
    // Without a public URL an upstream link would send the agent, with its service key, straight to GitHub.
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
