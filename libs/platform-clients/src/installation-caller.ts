import type { Platform } from '@bot/installations';
import { PlatformRequest, PlatformResponse } from '@bot/providers';
import type { InstallationToken } from '@bot/tokens';

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

/** One call of a typed client, independent of how it reaches the platform. */
export interface InstallationCall {
  method: PlatformRequest['method'];
  /**
   * Path and query below the platform's API root (`/repos/o/r/issues?state=open`, `/api/chat.postMessage`,
   * `/rest/api/3/issue`), or an absolute URL under that root that an earlier answer gave (a `Link` to follow).
   */
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

/** The platform's API root for direct calls with an installation's token (Jira's carries the site's cloud id). */
export type DirectApiRoot = (token: InstallationToken) => string;

/** True when an answer says the platform refused the token itself (a refresh and one retry may help). */
export type TokenRejected = (response: PlatformResponse) => boolean;

/**
 * How a typed client's calls travel: straight to the platform with the installation's token (InstallationApiClient,
 * needs the database) or through the platform's API app with the service key and the `/installations/{id}` prefix
 * (ApiAppInstallationCaller, needs only the apps' URLs).
 */
export abstract class InstallationCaller {
  /** Sends the call as `installationId`; answers with any HTTP status (callers decide what is an error). */
  abstract send(installationId: string, platform: Platform, root: DirectApiRoot, call: InstallationCall, isRejected?: TokenRejected): Promise<PlatformResponse>;
}

/** `root` + a relative path, or an absolute URL proven to lie under `root` (a followed link may not leave it). */
export function urlUnder(platform: Platform, root: string, path: string): string {
  if (!/^https?:\/\//i.test(path)) return `${root}${path}`;
  const base = root.replace(/\/+$/, '');
  if (path === base || path.startsWith(`${base}/`) || path.startsWith(`${base}?`)) return path;
  throw new PlatformApiError(platform, 0, `${platform}: refusing to follow a link outside ${new URL(base).origin}`, undefined);
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
