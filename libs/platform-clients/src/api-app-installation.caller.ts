import { AppConfig } from '@bot/config';
import type { Platform } from '@bot/installations';
import { PlatformHttpClient, PlatformResponse } from '@bot/providers';
import { Injectable } from '@nestjs/common';
import { InstallationCall, InstallationCaller, PlatformApiError, urlUnder } from './installation-caller';

/**
 * Calls a platform through its API app in the prefix form, `<app>/installations/{id}/...` with the service key,
 * as an agent outside the repo would: no database, no platform token here; the app refreshes, retries and records.
 */
@Injectable()
export class ApiAppInstallationCaller extends InstallationCaller {
  constructor(
    private readonly config: AppConfig,
    private readonly http: PlatformHttpClient,
  ) {
    super();
  }

  async send(installationId: string, platform: Platform, _root: unknown, call: InstallationCall): Promise<PlatformResponse> {
    const app = this.config.apiAppUrls[`${platform}-api` as keyof AppConfig['apiAppUrls']];
    if (!app) throw new PlatformApiError(platform, 0, `${platform}-api has no URL: set ${platform.toUpperCase()}_API_PUBLIC_URL`, undefined);
    const url = urlUnder(platform, `${app}/installations/${encodeURIComponent(installationId)}`, call.path);
    return this.http.send({
      platform,
      purpose: `${call.method} ${new URL(url).pathname}`,
      method: call.method,
      url,
      headers: { accept: 'application/json', ...call.headers, authorization: `Bearer ${this.config.serviceApiKey}` },
      json: call.json,
      form: call.form,
      timeoutMs: this.config.upstreamTimeoutMs,
    });
  }
}
