import type { ClockChange, ClockState } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { unwrap } from '../../internal/unwrap.js';

export type { ClockChange, ClockState };

/**
 * `/__userflare/clock`: the time the server judges `expires_on`, `not_before` and timestamps by. Every
 * method resolves with the clock afterwards: `{now, frozen, real, offset_ms}`.
 */
export class AdminClock extends APIResource {
  /**
   * Reads the server's clock (`GET /__userflare/clock`).
   *
   * @example
   * ```ts
   * const { now, frozen } = await admin.clock.get();
   * ```
   */
  get(options?: RequestOptions): Promise<ClockState> {
    return unwrap(this._client.request({ method: 'get', path: '/clock', ...options }));
  }

  /**
   * Changes the clock (`PUT /__userflare/clock`): any of `set` (a time), `advance_seconds` and
   * `freeze`, applied in that order.
   *
   * @example
   * ```ts
   * await admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
   * ```
   */
  set(change: ClockChange, options?: RequestOptions): Promise<ClockState> {
    return unwrap(this._client.request({ method: 'put', path: '/clock', body: change, ...options }));
  }

  /**
   * Stops the clock where it is, until `unfreeze()`, `advance()` or `reset()`.
   *
   * @example
   * ```ts
   * const { now } = await admin.clock.freeze();
   * ```
   */
  freeze(options?: RequestOptions): Promise<ClockState> {
    return this.set({ freeze: true }, options);
  }

  /**
   * Lets a frozen clock run again from where it stands; it keeps its offset from real time.
   *
   * @example
   * ```ts
   * await admin.clock.unfreeze();
   * ```
   */
  unfreeze(options?: RequestOptions): Promise<ClockState> {
    return this.set({ freeze: false }, options);
  }

  /**
   * Moves the clock by `seconds` (negative goes back), frozen or not.
   *
   * @example
   * ```ts
   * await admin.clock.advance(3600); // a token expiring within the hour has now expired
   * ```
   */
  advance(seconds: number, options?: RequestOptions): Promise<ClockState> {
    return this.set({ advance_seconds: seconds }, options);
  }

  /**
   * Returns the clock to real time, running (`DELETE /__userflare/clock`).
   *
   * @example
   * ```ts
   * const { real } = await admin.clock.reset(); // true
   * ```
   */
  reset(options?: RequestOptions): Promise<ClockState> {
    return unwrap(this._client.request({ method: 'delete', path: '/clock', ...options }));
  }
}
