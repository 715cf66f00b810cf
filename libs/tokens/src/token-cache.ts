import type { Platform } from '@bot/installations';
import { Clock } from '@bot/providers';
import { Injectable } from '@nestjs/common';

/** What the cache knew about an installation when a read of it began; see `TokenCache.isCurrent`. */
export interface CacheStamp {
  readonly epoch: number;
  readonly changes: number;
}

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
  /** Taken before the database read that produced this token. */
  stamp: CacheStamp;
}

/**
 * In-memory tokens of active installations, usable only while this process holds a lease: the change listener
 * renews it with every successful heartbeat on its LISTEN connection, and a revoker treats a process whose lease
 * ran out as unable to serve cached tokens. So a lapsed lease (lost connection, frozen or starved process) empties
 * the cache before anything is served from it again.
 *
 * Every token carries the stamp taken before the read that produced it; an invalidation of its installation, a
 * reset or a lapse since then makes it stale (`isCurrent` false), both for storing it and for sending it.
 */
@Injectable()
export class TokenCache {
  private readonly tokens = new Map<string, InstallationToken>();
  /** Invalidations per installation since the last reset. */
  private readonly changes = new Map<string, number>();
  private epoch = 0;
  /** False while change notifications cannot be received. */
  private trusted = false;
  /** Monotonic time until which cached tokens may be served. */
  private leaseUntil = 0;
  /** True once the current lease ran out and the cache was emptied for it. */
  private lapsed = true;

  constructor(private readonly clock: Clock) {}

  /** The cached token, or undefined (also whenever the lease is not held). */
  get(installationId: string): InstallationToken | undefined {
    if (!this.serving()) return undefined;
    return this.tokens.get(installationId);
  }

  /** The stamp for a read of `installationId` that starts now. */
  stamp(installationId: string): CacheStamp {
    this.checkLease();
    return { epoch: this.epoch, changes: this.changes.get(installationId) ?? 0 };
  }

  /** True when nothing that could make `token` stale happened since its stamp was taken. */
  isCurrent(token: InstallationToken): boolean {
    this.checkLease();
    return token.stamp.epoch === this.epoch && token.stamp.changes === (this.changes.get(token.installationId) ?? 0);
  }

  /** Stores a token, unless it is already stale or the lease is not held. */
  set(token: InstallationToken): void {
    if (this.serving() && this.isCurrent(token)) this.tokens.set(token.installationId, token);
  }

  /** Forgets one installation (it changed somewhere); tokens of it read before now become stale. */
  invalidate(installationId: string): void {
    this.changes.set(installationId, (this.changes.get(installationId) ?? 0) + 1);
    this.tokens.delete(installationId);
  }

  /** Forgets everything; `trusted` says whether change notifications are being received again. */
  reset(trusted: boolean): void {
    this.clear();
    this.trusted = trusted;
    if (!trusted) {
      this.leaseUntil = 0;
      this.lapsed = true;
    }
  }

  /** Extends the lease to a monotonic time (see Clock.monotonicMs); a lease that had run out empties the cache first. */
  renewLease(until: number): void {
    this.checkLease();
    this.leaseUntil = until;
    this.lapsed = false;
  }

  private serving(): boolean {
    this.checkLease();
    return this.trusted && !this.lapsed;
  }

  /** A lease that ran out empties the cache once, so nothing cached before the lapse survives a renewal. */
  private checkLease(): void {
    if (this.lapsed || this.clock.monotonicMs() < this.leaseUntil) return;
    this.lapsed = true;
    this.clear();
  }

  private clear(): void {
    this.epoch++;
    this.tokens.clear();
    this.changes.clear();
  }
}
