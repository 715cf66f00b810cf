import { AppConfig } from '@bot/config';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONSOLE_SESSION_TTL_MS, LOGIN_FORM_TTL_MS } from './console-session.signer';

export const SESSION_COOKIE = 'bot_admin_session';
export const LOGIN_COOKIE = 'bot_admin_login';

/** Reading and writing the console's cookies: HttpOnly, SameSite=Strict, Secure when BASE_URL is https. */
@Injectable()
export class ConsoleCookies {
  private readonly secure: boolean;

  constructor(config: AppConfig) {
    this.secure = config.baseUrl.startsWith('https:');
  }

  /** The value of a cookie of the request, or undefined. */
  read(request: Request, name: string): string | undefined {
    for (const part of (request.headers.cookie ?? '').split(';')) {
      const index = part.indexOf('=');
      if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
    }
    return undefined;
  }

  /** Sets the session cookie, for every console path. */
  setSession(response: Response, value: string): void {
    response.cookie(SESSION_COOKIE, value, this.options('/admin', CONSOLE_SESSION_TTL_MS));
  }

  /** Sets the sign-in form's cookie, sent back only to the sign-in route. */
  setLoginForm(response: Response, value: string): void {
    response.cookie(LOGIN_COOKIE, value, this.options('/admin/login', LOGIN_FORM_TTL_MS));
  }

  /** Removes both cookies (sign-out). */
  clear(response: Response): void {
    response.clearCookie(SESSION_COOKIE, this.options('/admin'));
    this.clearLoginForm(response);
  }

  /** Removes the sign-in form's cookie once it served its purpose. */
  clearLoginForm(response: Response): void {
    response.clearCookie(LOGIN_COOKIE, this.options('/admin/login'));
  }

  private options(path: string, maxAge?: number) {
    return { path, httpOnly: true, sameSite: 'strict' as const, secure: this.secure, ...(maxAge ? { maxAge } : {}) };
  }
}
