import { AppConfig } from '@bot/config';
import { Clock } from '@bot/providers';
import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a console sign-in lasts. */
export const CONSOLE_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** How long the sign-in form may be left open before it must be reloaded. */
export const LOGIN_FORM_TTL_MS = 60 * 60 * 1000;

/** A signed-in operator: the cookie carries exactly this, signed. */
export interface ConsoleSession {
  id: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * The cryptography of console sessions. Cookies and CSRF tokens are HMAC-SHA256 under a key derived from
 * ADMIN_API_KEY, so changing that key signs every operator out. Nothing is stored server-side.
 */
@Injectable()
export class ConsoleSessionSigner {
  private readonly key: Buffer;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.adminApiKey, 'operator-console', 'session and csrf signing v1', 32));
  }

  /** A new session and its cookie value. */
  issue(): { session: ConsoleSession; cookie: string } {
    const now = this.clock.now().getTime();
    const session = { id: randomBytes(16).toString('base64url'), issuedAt: now, expiresAt: now + CONSOLE_SESSION_TTL_MS };
    const payload = Buffer.from(JSON.stringify({ sid: session.id, iat: session.issuedAt, exp: session.expiresAt })).toString('base64url');
    return { session, cookie: `${payload}.${this.mac(`session:${payload}`)}` };
  }

  /** The session a cookie value carries, or null when it is missing, forged, malformed or expired. */
  read(cookie: string | undefined): ConsoleSession | null {
    const [payload, mac, extra] = (cookie ?? '').split('.');
    if (!payload || !mac || extra !== undefined || !this.equal(mac, this.mac(`session:${payload}`))) return null;
    let claims: { sid?: unknown; iat?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof claims.sid !== 'string' || typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return null;
    if (claims.exp <= this.clock.now().getTime()) return null;
    return { id: claims.sid, issuedAt: claims.iat, expiresAt: claims.exp };
  }

  /** The CSRF token of every form of this session (bound to it, so another session's token is refused). */
  csrfToken(session: ConsoleSession): string {
    return this.mac(`csrf:${session.id}`);
  }

  /** True when `token` is this session's CSRF token. */
  csrfMatches(session: ConsoleSession, token: unknown): boolean {
    return typeof token === 'string' && this.equal(token, this.csrfToken(session));
  }

  /** A token for the sign-in form and the cookie that must come back with it (double submit, signed). */
  loginForm(): { token: string; cookie: string } {
    const token = randomBytes(16).toString('base64url');
    const expires = this.clock.now().getTime() + LOGIN_FORM_TTL_MS;
    return { token, cookie: `${token}.${expires}.${this.mac(`login:${token}.${expires}`)}` };
  }

  /** True when the sign-in form's token came with its own unexpired cookie. */
  loginFormMatches(cookie: string | undefined, token: unknown): boolean {
    const [nonce, expires, mac, extra] = (cookie ?? '').split('.');
    if (!nonce || !expires || !mac || extra !== undefined || typeof token !== 'string') return false;
    if (!this.equal(mac, this.mac(`login:${nonce}.${expires}`))) return false;
    return Number(expires) > this.clock.now().getTime() && this.equal(token, nonce);
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  private equal(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  }
}
