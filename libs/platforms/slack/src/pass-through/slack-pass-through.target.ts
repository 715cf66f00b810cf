import { AppConfig } from '@bot/config';
import { PassThroughTarget, UpstreamCredential } from '@bot/pass-through';
import { Injectable } from '@nestjs/common';
import { slackErrorShape } from './slack-error.shape';
import type { IncomingHttpHeaders } from 'node:http';

const METHOD_PATH = /^\/api\/[A-Za-z][A-Za-z0-9_.]{0,99}$/;

/** Slack Web API: `/api/<method>` goes to SLACK_BASE_URL with the bot token. */
@Injectable()
export class SlackPassThroughTarget extends PassThroughTarget {
  readonly platform = 'slack' as const;
  readonly displayName = 'Slack';
  readonly errorShape = slackErrorShape;

  constructor(private readonly config: AppConfig) {
    super();
  }

  legacyCredential(): UpstreamCredential | undefined {
    const token = this.config.legacy.slackBotToken;
    return token ? { kind: 'legacy', authorization: `Bearer ${token}`, baseUrl: this.config.upstream.slackBaseUrl } : undefined;
  }

  route(path: string, credential: UpstreamCredential) {
    if (!METHOD_PATH.test(path)) return null;
    return { baseUrl: credential.kind === 'legacy' ? credential.baseUrl : this.config.upstream.slackBaseUrl, path };
  }

  // Slack reports an expired rotating token as HTTP 200 with `ok: false, error: "token_expired"`.
  override inspectBody(status: number, headers: IncomingHttpHeaders): boolean {
    const encoding = headers['content-encoding'];
    return status === 200 && /json/i.test(headers['content-type'] ?? '') && (encoding === undefined || encoding === 'identity');
  }

  override isTokenRejected(status: number, body?: Buffer): boolean {
    if (status === 401) return true;
    if (!body) return false;
    try {
      const answer = JSON.parse(body.toString('utf8')) as { ok?: boolean; error?: string };
      return answer.ok === false && answer.error === 'token_expired';
    } catch {
      return false;
    }
  }
}
