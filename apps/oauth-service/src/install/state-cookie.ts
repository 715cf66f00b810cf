import type { Request, Response } from 'express';
import { STATE_TTL_MS } from './install.service';

/**
 * The state of an install whose platform does not hand our state back (Sentry), bound to the browser that
 * started it: HttpOnly, SameSite=Lax (sent on the platform's top-level redirect back to us), scoped to that
 * platform's callback path, gone after 10 minutes like the state itself.
 */
export class StateCookie {
  constructor(private readonly platform: string) {}

  private get name(): string {
    return `oauth_state_${this.platform}`;
  }

  private get path(): string {
    return `/oauth/callback/${this.platform}`;
  }

  /** Sets the cookie on the install redirect. */
  set(response: Response, state: string, secure: boolean): void {
    response.cookie(this.name, state, { httpOnly: true, sameSite: 'lax', secure, path: this.path, maxAge: STATE_TTL_MS });
  }

  /** The state the browser sent back, if any. */
  read(request: Request): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === this.name) return decodeURIComponent(value.join('=')) || undefined;
    }
    return undefined;
  }

  /** A state is single use: the cookie goes with the callback that presented it. */
  clear(response: Response, secure: boolean): void {
    response.clearCookie(this.name, { httpOnly: true, sameSite: 'lax', secure, path: this.path });
  }
}
