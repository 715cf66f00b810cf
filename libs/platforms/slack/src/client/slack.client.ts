import { AppConfig } from '@bot/config';
import { DirectApiRoot, InstallationCaller, jsonBody, PlatformApiError } from '@bot/platform-clients';
import { Injectable } from '@nestjs/common';

interface SlackAnswer {
  ok: boolean;
  error?: string;
  response_metadata?: { next_cursor?: string };
}

export interface SlackChannel {
  id: string;
  name: string;
  is_private?: boolean;
}

/** Slack Web API calls as one installation's bot. */
export class SlackInstallationClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly root: DirectApiRoot,
    readonly installationId: string,
  ) {}

  /** Posts a message; answers the message's `ts`. */
  async postMessage(channel: string, text: string): Promise<{ channel: string; ts: string }> {
    const answer = await this.call<SlackAnswer & { channel: string; ts: string }>('chat.postMessage', { channel, text });
    return { channel: answer.channel, ts: answer.ts };
  }

  /** Every channel the bot can list, following `next_cursor`. */
  async listChannels(limit = 200): Promise<SlackChannel[]> {
    const channels: SlackChannel[] = [];
    let cursor = '';
    do {
      const answer = await this.call<SlackAnswer & { channels: SlackChannel[] }>('conversations.list', { limit, ...(cursor ? { cursor } : {}) });
      channels.push(...answer.channels);
      cursor = answer.response_metadata?.next_cursor ?? '';
    } while (cursor);
    return channels;
  }

  /** Adds an emoji reaction to a message. */
  async addReaction(channel: string, timestamp: string, name: string): Promise<void> {
    await this.call('reactions.add', { channel, timestamp, name });
  }

  private async call<T extends SlackAnswer>(method: string, body: Record<string, unknown>): Promise<T> {
    const response = await this.api.send(
      this.installationId,
      'slack',
      this.root,
      { method: 'POST', path: `/api/${method}`, headers: { 'content-type': 'application/json; charset=utf-8' }, json: body },
      // Slack answers an expired rotating token with HTTP 200 and `token_expired`.
      (r) => r.status === 401 || (r.status === 200 && r.text.includes('"token_expired"')),
    );
    const answer = jsonBody<T>('slack', method, response);
    if (!answer.ok) throw new PlatformApiError('slack', response.status, `slack ${method} failed: ${answer.error ?? 'unknown error'}`, answer);
    return answer;
  }
}

/** Hands out Slack clients bound to an installation (direct, or through slack-api: see InstallationCaller). */
@Injectable()
export class SlackClient {
  constructor(
    private readonly api: InstallationCaller,
    private readonly config: AppConfig,
  ) {}

  /** A client that acts as `installationId`'s bot. */
  forInstallation(installationId: string): SlackInstallationClient {
    return new SlackInstallationClient(this.api, () => this.config.upstream.slackBaseUrl, installationId);
  }
}
