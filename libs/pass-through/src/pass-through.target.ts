import type { Platform } from '@bot/installations';
import type { InstallationToken } from '@bot/tokens';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { PlatformErrorShape } from './platform-error.shape';

/** Whose credentials a forwarded request carries. */
export type UpstreamCredential =
  | { kind: 'installation'; token: InstallationToken }
  /** The single-org token from the environment, for requests that name no installation. */
  | { kind: 'legacy'; authorization: string; baseUrl: string };

/** Where the response is going back to, for rewriting absolute URLs in headers. */
export interface ResponseContext {
  /**
   * (Worked out on first read.) Base URL of this app as the caller addressed it, including the `/installations/{id}` prefix when the request
   * used it, e.g. `https://github-api.example.com/installations/<uuid>`. Undefined when no public URL is known
   * (production without `<APP>_PUBLIC_URL` or `TRUST_PROXY`): absolute URLs must then be dropped, not kept.
   */
  publicBaseUrl: string | undefined;
  /** Upstream base URL the request was sent to. */
  upstreamBaseUrl: string;
}

/** What differs per platform in the pass-through; one implementation per API app. */
export abstract class PassThroughTarget {
  abstract readonly platform: Platform;
  /** Name in messages, e.g. `GitHub`. */
  abstract readonly displayName: string;
  /** How this platform words errors; the pass-through answers its own refusals in it. */
  abstract readonly errorShape: PlatformErrorShape;

  /** The legacy env credential, or undefined when none is configured. */
  abstract legacyCredential(): UpstreamCredential | undefined;

  /**
   * The upstream base URL and path for a validated incoming path, or null when this app does not forward
   * that path (answered 404).
   */
  abstract route(path: string, credential: UpstreamCredential): { baseUrl: string; path: string } | null;

  /** The Authorization header value sent upstream. */
  authorization(credential: UpstreamCredential): string {
    return credential.kind === 'legacy' ? credential.authorization : `Bearer ${credential.token.accessToken}`;
  }

  /** Headers the platform expects, each sent when the caller did not send it (or sent it empty). */
  readonly defaultRequestHeaders: Readonly<Record<string, string>> = {};

  /** Adjusts upstream response headers before they go back (e.g. GitHub `Link` pagination URLs). */
  rewriteResponseHeaders(headers: OutgoingHttpHeaders, context: ResponseContext): void {
    void headers;
    void context;
  }

  /**
   * True when an upstream answer says the token itself was refused, so a refresh and one retry may help.
   * `body` is given only when `inspectBody` asked for it.
   */
  isTokenRejected(status: number, body?: Buffer): boolean {
    void body;
    return status === 401;
  }

  /** True when the answer's body must be read to decide `isTokenRejected` (Slack reports auth errors in a 200). */
  inspectBody(status: number, headers: IncomingHttpHeaders): boolean {
    void status;
    void headers;
    return false;
  }
}
