import { AppConfig } from '@bot/config';
import type { Platform } from '@bot/installations';
import { PlatformHttpClient, PlatformResponse } from '@bot/providers';
import { InstallationToken, TokenService, TokenUsageRecorder } from '@bot/tokens';
import { Injectable } from '@nestjs/common';
import { DirectApiRoot, InstallationCall, InstallationCaller, TokenRejected, urlUnder } from './installation-caller';

/**
 * Calls a platform directly as one installation, for code inside this repo with database access: fetches the
 * token from the TokenService, retries once after a forced refresh when the platform refuses it, and records the
 * use like the API apps do.
 */
@Injectable()
export class InstallationApiClient extends InstallationCaller {
  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly usage: TokenUsageRecorder,
    private readonly http: PlatformHttpClient,
  ) {
    super();
  }

  async send(installationId: string, platform: Platform, root: DirectApiRoot, call: InstallationCall, isRejected: TokenRejected = (r) => r.status === 401): Promise<PlatformResponse> {
    let token = await this.tokens.getToken(installationId, { platform });
    let response = await this.attempt(token, platform, root, call);
    if (isRejected(response) && token.refreshable) {
      const replacement = await this.tokens.refreshRejected(installationId, token.accessToken);
      if (replacement) {
        token = replacement;
        response = await this.attempt(token, platform, root, call);
      }
    }
    this.usage.record({ installationId, platform, method: call.method, path: new URL(urlUnder(platform, root(token), call.path)).pathname, status: response.status });
    return response;
  }

  private attempt(token: InstallationToken, platform: Platform, root: DirectApiRoot, call: InstallationCall): Promise<PlatformResponse> {
    const url = urlUnder(platform, root(token), call.path);
    return this.http.send({
      platform,
      purpose: `${call.method} ${new URL(url).pathname}`,
      method: call.method,
      url,
      headers: { accept: 'application/json', ...call.headers, authorization: `Bearer ${token.accessToken}` },
      json: call.json,
      form: call.form,
      timeoutMs: this.config.upstreamTimeoutMs,
    });
  }
}
