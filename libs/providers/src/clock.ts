import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

/** The current time and waiting, behind a class so flows can be tested at chosen instants. */
@Injectable()
export class Clock {
  /** Now. */
  now(): Date {
    return new Date();
  }

  /** Milliseconds on a clock that never jumps (wall-clock changes do not move it), for leases and elapsed times. */
  monotonicMs(): number {
    return performance.now();
  }

  /** Resolves after `ms` milliseconds (backoff between retries). */
  delay(ms: number): Promise<void> {
    return sleep(ms);
  }
}
