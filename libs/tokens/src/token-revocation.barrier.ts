import { Clock } from '@bot/providers';
import { Injectable, Logger } from '@nestjs/common';
import { TokenCacheConfirmationDto, TokenCacheProcessDto } from './dto/token-cache-confirmation.dto';
import { TokenCacheListenerRepository, TokenCacheListenerState } from './token-cache-listener.repository';

/** What a revoker knows, when it answers, about the token caches of the running API processes. */
export type TokenCacheConfirmation = TokenCacheConfirmationDto;

const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 25;
/** The wait never exceeds this many leases (the longest lease of any listener); a live listener acks in milliseconds. */
const LEASES_BOUND = 2;

/**
 * The one place every revoke path waits in (admin DELETE, operator console, lifecycle webhooks that revoke or
 * suspend). Called after the change committed: publishes a barrier behind the change's notification and waits
 * until each registered API process has acknowledged it or its lease has run out, then says which.
 */
@Injectable()
export class TokenRevocationBarrier {
  private readonly logger = new Logger('TokenRevocation');

  constructor(
    private readonly listeners: TokenCacheListenerRepository,
    private readonly clock: Clock,
  ) {}

  /** Waits (bounded by two leases) until no API process can serve a token of the committed change any more. */
  async confirm(): Promise<TokenCacheConfirmation> {
    const started = this.clock.monotonicMs();
    const revision = await this.listeners.publishBarrier();
    let pause = FIRST_POLL_MS;
    let bound: number | undefined;
    for (;;) {
      const states = await this.listeners.listenerStates(revision);
      const waiting = states.filter((state) => !state.acked && !state.leaseExpired);
      bound ??= LEASES_BOUND * Math.max(0, ...states.map((state) => state.leaseMs));
      const waited = this.clock.monotonicMs() - started;
      if (waiting.length === 0 || waited >= bound) return this.report(revision, states, Math.round(waited));
      await this.clock.delay(pause);
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  private report(revision: number, states: TokenCacheListenerState[], waited: number): TokenCacheConfirmation {
    const process = (state: TokenCacheListenerState): TokenCacheProcessDto => ({ app: state.app, host: state.host, pid: state.pid });
    const silent = (state: TokenCacheListenerState) => ({ ...process(state), silent_ms: state.silentMs });
    const unconfirmed = states.filter((state) => !state.acked && !state.leaseExpired).map(silent);
    const leaseExpired = states.filter((state) => !state.acked && state.leaseExpired).map(silent);
    if (unconfirmed.length > 0) {
      this.logger.error(`revocation barrier ${revision} not confirmed after ${waited} ms by ${unconfirmed.map((p) => `${p.app}@${p.host}:${p.pid}`).join(', ')}`);
    } else if (leaseExpired.length > 0) {
      this.logger.warn(`revocation barrier ${revision}: ${leaseExpired.length} unreachable process(es) counted by their expired lease (${leaseExpired.map((p) => `${p.app}@${p.host}:${p.pid}`).join(', ')})`);
    }
    return {
      confirmed: unconfirmed.length === 0,
      revision,
      waited_ms: waited,
      acknowledged: states.filter((state) => state.acked).map(process),
      lease_expired: leaseExpired,
      unconfirmed,
    };
  }
}
