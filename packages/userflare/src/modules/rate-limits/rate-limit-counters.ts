import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** Counts hits per key in fixed windows; answers the count so far in the current window. */
export interface RateLimitCounters {
  hit(key: string, windowStart: number): Promise<number>;
  peek(key: string, windowStart: number): Promise<number>;
}

const SWEEP_EVERY = 10_000;

/** One process's counters (SQLite: one process serves the store). */
export class MemoryCounters implements RateLimitCounters {
  readonly #counts = new Map<string, { windowStart: number; count: number }>();
  #hits = 0;

  async hit(key: string, windowStart: number): Promise<number> {
    if (++this.#hits % SWEEP_EVERY === 0) this.#sweep(windowStart);
    const entry = this.#counts.get(key);
    if (entry?.windowStart === windowStart) return ++entry.count;
    this.#counts.set(key, { windowStart, count: 1 });
    return 1;
  }

  async peek(key: string, windowStart: number): Promise<number> {
    const entry = this.#counts.get(key);
    return entry?.windowStart === windowStart ? entry.count : 0;
  }

  /** Drops keys of past windows, so a stream of distinct addresses cannot grow the map for ever. */
  #sweep(windowStart: number): void {
    for (const [key, entry] of this.#counts) if (entry.windowStart < windowStart) this.#counts.delete(key);
  }
}

/**
 * Counters every replica shares (issue 8): one upsert per hit on PostgreSQL, the window restarting
 * when a hit arrives in a later window than the stored one.
 */
export class StoreCounters implements RateLimitCounters {
  constructor(private readonly db: Db) {}

  async hit(key: string, windowStart: number): Promise<number> {
    const row = await this.db
      .insertInto('rate_limit_counters')
      .values({ key, window_start: windowStart, count: 1 })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          count: sql`case when rate_limit_counters.window_start = excluded.window_start then rate_limit_counters.count + 1 else 1 end`,
          window_start: sql`excluded.window_start`,
        }),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async peek(key: string, windowStart: number): Promise<number> {
    const row = await this.db
      .selectFrom('rate_limit_counters')
      .select('count')
      .where('key', '=', key)
      .where('window_start', '=', windowStart)
      .executeTakeFirst();
    return row ? Number(row.count) : 0;
  }
}
