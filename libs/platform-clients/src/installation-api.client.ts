import { AppConfig } from '@bot/config';
import type { Platform } from '@bot/installations';
import { PlatformHttpClient, PlatformRequest, PlatformResponse } from '@bot/providers';
import { InstallationToken, TokenService, TokenUsageRecorder } from '@bot/tokens';
import { Injectable } from '@nestjs/common';

/** A platform API call that did not succeed; the message names the call and status, never a token. */
export class PlatformApiError extends Error {
  constructor(
    readonly platform: Platform,
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'PlatformApiError';
  }
}

export interface InstallationCall {
  method: PlatformRequest['method'];
  /** Full URL, built from the token (Jira URLs carry the installation's cloud id). */
  url: (token: InstallationToken) => string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

/**
 * Calls a platform as one installation for code inside this repo: fetches the token from the TokenService,
 * retries once after a forced refresh when the platform refuses it, and records the use like the API apps do.
 */
@Injectable()
export class InstallationApiClient {
  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly usage: TokenUsageRecorder,
    private readonly http: PlatformHttpClient,
  ) {}

  /** Sends the call; answers with any HTTP status (callers decide what is an error). */
  async send(installationId: string, platform: Platform, call: InstallationCall, isRejected: (response: PlatformResponse) => boolean = (r) => r.status === 401): Promise<PlatformResponse> {
    let token = await this.tokens.getToken(installationId, { platform });
    let response = await this.attempt(token, platform, call);
    if (isRejected(response) && token.refreshable) {
      const replacement = await this.tokens.refreshRejected(installationId, token.accessToken);
      if (replacement) {
        token = replacement;
        response = await this.attempt(token, platform, call);
      }
    }
    this.usage.record({ installationId, platform, method: call.method, path: new URL(call.url(token)).pathname, status: response.status });
    return response;
  }

  private attempt(token: InstallationToken, platform: Platform, call: InstallationCall): Promise<PlatformResponse> {
    return this.http.send({
      platform,
      purpose: `${call.method} ${new URL(call.url(token)).pathname}`,
      method: call.method,
      url: call.url(token),
      headers: { accept: 'application/json', ...call.headers, authorization: `Bearer ${token.accessToken}` },
      json: call.json,
      form: call.form,
      timeoutMs: this.config.upstreamTimeoutMs,
    });
  }
}

/** The JSON body of a 2xx answer, or a PlatformApiError naming the call. */
export function jsonBody<T>(platform: Platform, what: string, response: PlatformResponse): T {
  let body: unknown;
  try {
    body = response.text ? JSON.parse(response.text) : undefined;
  } catch {
    throw new PlatformApiError(platform, response.status, `${platform} ${what} answered with malformed JSON (HTTP ${response.status})`, undefined);
  }
  if (response.status < 200 || response.status >= 300) {
    throw new PlatformApiError(platform, response.status, `${platform} ${what} failed with HTTP ${response.status}`, body);
  }
  return body as T;
}
