import { PassThroughError } from './pass-through.errors';

const MAX_DECODE_ROUNDS = 3;

/**
 * Checks the raw request target before it is appended to an upstream base URL: origin-form only (no absolute
 * or protocol-relative URLs, no backslashes or control characters), and no `.`/`..` segment in any spelling,
 * including percent-encoded and double-encoded ones, so a path can never leave its upstream prefix.
 * Returns the path and query as received (still encoded).
 */
export function validateRequestTarget(rawTarget: string): { path: string; query: string } {
  const invalid = (why: string) => new PassThroughError(400, 'invalid_path', `request path rejected: ${why}`);
  if (!rawTarget.startsWith('/')) throw invalid('it must be a path starting with "/", not an absolute URL');
  if (rawTarget.startsWith('//')) throw invalid('a path starting with "//" would name another host');
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f\s]/.test(rawTarget)) throw invalid('backslashes, whitespace and control characters are not allowed');
  const queryAt = rawTarget.indexOf('?');
  const path = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawTarget.slice(queryAt);
  for (const segment of path.split('/')) {
    let decoded = segment;
    for (let round = 0; round < MAX_DECODE_ROUNDS && decoded.includes('%'); round++) {
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        throw invalid('malformed percent-encoding');
      }
    }
    // A decoded backslash is refused like a raw one: some servers treat it as a path separator.
    if (decoded.includes('\\')) throw invalid('backslashes are not allowed, also percent-encoded (%5C)');
    if (decoded.split('/').some((part) => part === '.' || part === '..')) throw invalid('"." and ".." segments are not allowed');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(decoded)) throw invalid('encoded control characters are not allowed');
  }
  return { path, query };
}

const INSTALLATION_PREFIX = /^\/installations\/([^/]*)(\/.*)?$/;

/**
 * Splits `/installations/{id}/rest/...` into the installation segment (still raw) and the path after it
 * (`/` when nothing follows); a path without the prefix comes back unchanged with `installationId` null.
 */
export function splitInstallationPrefix(path: string): { installationId: string | null; path: string } {
  const match = INSTALLATION_PREFIX.exec(path);
  if (!match) return { installationId: null, path };
  return { installationId: match[1], path: match[2] ?? '/' };
}

/** Where an upstream request goes, in the form the connection pool takes it. */
export interface UpstreamLocation {
  /** `scheme://host[:port]`. */
  origin: string;
  /** The base URL's path, then the request's path and query. */
  path: string;
}

interface ParsedBase {
  origin: string;
  /** The base URL's path without trailing slashes (`''` for a bare host). */
  prefix: string;
}

/** Base URLs seen so far (a few per app: one per platform API, one per Jira site); parsed once each. */
const parsedBases = new Map<string, ParsedBase>();
const PARSED_BASES_KEPT = 1024;
/** A `.` or `..` segment, also percent-encoded, anywhere in a path. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Joins an upstream base URL and a validated path and query, and proves the result stays under the base: the
 * origin is the base's own, and the path is the base's path followed by a path with no dot segment, so no URL
 * normalisation on the way can climb out of it (defence in depth behind validateRequestTarget).
 */
export function upstreamUrl(base: string, pathAndQuery: string): UpstreamLocation {
  let parsed = parsedBases.get(base);
  if (!parsed) {
    const url = new URL(base);
    parsed = { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') };
    if (parsedBases.size >= PARSED_BASES_KEPT) parsedBases.clear();
    parsedBases.set(base, parsed);
  }
  const queryAt = pathAndQuery.indexOf('?');
  const path = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  if (!path.startsWith('/') || path.startsWith('//') || DOT_SEGMENT.test(path)) {
    throw new PassThroughError(400, 'invalid_path', 'request path rejected: it would leave the upstream API');
  }
  return { origin: parsed.origin, path: parsed.prefix + pathAndQuery };
}
