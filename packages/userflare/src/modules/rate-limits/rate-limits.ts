import { apiErrors } from '../../http/errors.js';
import type { RateLimitCounters } from './rate-limit-counters.js';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** What `USERFLARE_RATE_LIMIT` and `USERFLARE_AUTH_FAILURE_LIMIT` turn on; all off by default. */
export interface RateLimitSettings {
  perUser?: RateLimit;
  perAddress?: RateLimit;
  failedAuthenticationsPerAddress?: RateLimit;
}

/** Which limit refused a request: the user's rate, the address's rate, or the address's failed authentications. */
export type RateLimitKind = 'user' | 'address' | 'auth_failures';

/** Cloudflare's documented defaults: 1200 requests per 5 minutes per user, 200 per second per IP. */
export const CLOUDFLARE_RATE_LIMITS: RateLimitSettings = {
  perUser: { limit: 1200, windowSeconds: 300 },
  perAddress: { limit: 200, windowSeconds: 1 },
};

/**
 * Fixed-window limits (issue 8). Over a limit, the answer is 429 with code 971 and `retry-after` until
 * the window ends, as Cloudflare blocks until its window passes. Time is real time, not the emulator
 * clock: limits are about how fast requests really arrive.
 */
export class RateLimits {
  /** Requests refused, by limit: plain counts, read when metrics are scraped (`modules/metrics`). */
  readonly rejections: Record<RateLimitKind, number> = { user: 0, address: 0, auth_failures: 0 };

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly counters: RateLimitCounters,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before authentication: the address's rate, and whether it has failed to authenticate too often. */
  async admitAddress(ip: string): Promise<void> {
    const { perAddress, failedAuthenticationsPerAddress: failures } = this.settings;
    if (failures) {
      const windowStart = this.#windowStart(failures);
      if ((await this.counters.peek(`auth-failures:${ip}`, windowStart)) >= failures.limit) {
        this.rejections.auth_failures++;
        throw apiErrors.rateLimited(this.#secondsLeft(failures, windowStart));
      }
    }
    if (perAddress) await this.#count('address', `address:${ip}`, perAddress);
  }

  async recordFailedAuthentication(ip: string): Promise<void> {
    const failures = this.settings.failedAuthenticationsPerAddress;
    if (failures) await this.counters.hit(`auth-failures:${ip}`, this.#windowStart(failures));
  }

  async admitUser(userId: string): Promise<void> {
    if (this.settings.perUser) await this.#count('user', `user:${userId}`, this.settings.perUser);
  }

  async #count(kind: RateLimitKind, key: string, rule: RateLimit): Promise<void> {
    const windowStart = this.#windowStart(rule);
    if ((await this.counters.hit(key, windowStart)) > rule.limit) {
      this.rejections[kind]++;
      throw apiErrors.rateLimited(this.#secondsLeft(rule, windowStart));
    }
  }

  #windowStart(rule: RateLimit): number {
    const windowMs = rule.windowSeconds * 1000;
    return Math.floor(this.now() / windowMs) * windowMs;
  }

  #secondsLeft(rule: RateLimit, windowStart: number): number {
    return Math.max(1, Math.ceil((windowStart + rule.windowSeconds * 1000 - this.now()) / 1000));
  }
}
