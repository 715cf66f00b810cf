import { Injectable } from '@nestjs/common';
import type { Platform } from '@bot/installations';

/** A decrypted, usable token of one active installation. */
export interface InstallationToken {
  installationId: string;
  platform: Platform;
  externalOrgId: string;
  accessToken: string;
  /** Null: the token does not expire (a Slack bot token without rotation). */
  expiresAt: Date | null;
  /** True when a new token can be obtained (GitHub mints; Jira and rotating Slack hold a refresh token). */
  refreshable: boolean;
  metadata: Record<string, unknown>;
}

/**
 * In-memory tokens of active installations. Invalidation bumps a generation counter, and a read that started
 * before an invalidation may not store its (possibly stale) result: `generation()` before the database read,
 * `set(token, generation)` after it.
 */
@Injectable()
export class TokenCache {
  private readonly tokens = new Map<string, InstallationToken>();
  private currentGeneration = 0;
  /** False while change notifications cannot be received; nothing is served from or kept in the cache then. */
  private trusted = false;

  /** The cached token, or undefined. */
  get(installationId: string): InstallationToken | undefined {
    return this.trusted ? this.tokens.get(installationId) : undefined;
  }

  /** The generation to pass to `set` for a read that starts now. */
  generation(): number {
    return this.currentGeneration;
  }

  /** Stores a token read at `generation`, unless an invalidation happened since. */
  set(token: InstallationToken, generation: number): void {
    if (this.trusted && generation === this.currentGeneration) this.tokens.set(token.installationId, token);
  }

  /** Forgets one installation (it changed somewhere). */
  invalidate(installationId: string): void {
    this.currentGeneration++;
    this.tokens.delete(installationId);
  }

  /** Forgets everything; `trusted` says whether change notifications are being received again. */
  reset(trusted: boolean): void {
    this.currentGeneration++;
    this.tokens.clear();
    this.trusted = trusted;
  }
}
