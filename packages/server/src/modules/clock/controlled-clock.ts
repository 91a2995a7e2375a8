import type { ClockChange, ClockState } from '@userflare/contract';
import { type Clock, formatTimestamp } from '../../clock.js';

/**
 * The clock a test author drives (issue 7): real time shifted by an offset, or frozen at an instant.
 * Everything that reads the time — validity windows, `expired`, invite expiry, subscription periods,
 * every `*_on` stamp and audit time — reads it through this clock.
 */
export class ControlledClock implements Clock {
  #offsetMs = 0;
  #frozenAt: number | undefined;

  constructor(private readonly base: Clock) {}

  now(): Date {
    return new Date(this.#frozenAt ?? this.base.now().getTime() + this.#offsetMs);
  }

  /** Applies `set`, then `advance_seconds`, then `freeze`. */
  change(change: ClockChange): ClockState {
    if (change.set !== undefined) this.#moveTo(new Date(change.set).getTime());
    if (change.advance_seconds !== undefined)
      this.#moveTo(this.now().getTime() + change.advance_seconds * 1000);
    if (change.freeze === true) this.#frozenAt = this.now().getTime();
    if (change.freeze === false && this.#frozenAt !== undefined) {
      this.#offsetMs = this.#frozenAt - this.base.now().getTime();
      this.#frozenAt = undefined;
    }
    return this.state();
  }

  reset(): ClockState {
    this.#offsetMs = 0;
    this.#frozenAt = undefined;
    return this.state();
  }

  state(): ClockState {
    const now = this.now();
    const offset = now.getTime() - this.base.now().getTime();
    return {
      now: formatTimestamp(now),
      frozen: this.#frozenAt !== undefined,
      real: this.#frozenAt === undefined && this.#offsetMs === 0,
      offset_ms: offset,
    };
  }

  #moveTo(instant: number): void {
    if (this.#frozenAt !== undefined) this.#frozenAt = instant;
    else this.#offsetMs = instant - this.base.now().getTime();
  }
}
