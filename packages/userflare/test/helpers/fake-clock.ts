import type { Clock } from 'userflare';

/** A clock that moves only when a test says so: tokens expire, invites lapse, entries get chosen times. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: string | Date = '2030-01-01T00:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  nowMs(): number {
    return this.#now;
  }

  set(instant: string | Date): void {
    this.#now = new Date(instant).getTime();
  }

  advance(ms = 1000): void {
    this.#now += ms;
  }

  /** The current time plus `offsetMs`, as the server prints it: RFC 3339 UTC without `.000`. */
  iso(offsetMs = 0): string {
    return new Date(this.#now + offsetMs).toISOString().replace('.000Z', 'Z');
  }
}
