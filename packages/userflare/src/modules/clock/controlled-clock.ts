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
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.#frozenAt ?? this.base.nowMs() + this.#offsetMs;
  }

  /**
   * Applies `set`, then `advance_seconds`, then `freeze`, against one reading of the real clock, so
   * that "set to T" answers exactly T even while the clock runs.
   */
  change(change: ClockChange): ClockState {
    const base = this.base.nowMs();
    let now = this.#frozenAt ?? base + this.#offsetMs;
    if (change.set !== undefined) now = new Date(change.set).getTime();
    if (change.advance_seconds !== undefined) now += change.advance_seconds * 1000;
    const frozen = change.freeze ?? this.#frozenAt !== undefined;
    this.#frozenAt = frozen ? now : undefined;
    this.#offsetMs = frozen ? this.#offsetMs : now - base;
    return this.#stateAt(base);
  }

  reset(): ClockState {
    this.#offsetMs = 0;
    this.#frozenAt = undefined;
    return this.state();
  }

  state(): ClockState {
    return this.#stateAt(this.base.nowMs());
  }

  #stateAt(base: number): ClockState {
    const now = this.#frozenAt ?? base + this.#offsetMs;
    return {
      now: formatTimestamp(new Date(now)),
      frozen: this.#frozenAt !== undefined,
      real: this.#frozenAt === undefined && this.#offsetMs === 0,
      offset_ms: now - base,
    };
  }
}
