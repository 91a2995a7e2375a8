import type { Selectable } from 'kysely';

/** Fixed-window request counters shared by replicas on PostgreSQL (migration 005). */
export interface RateLimitCountersTable {
  key: string;
  /** The window's start, in milliseconds since the epoch. */
  window_start: number;
  count: number;
}
export type RateLimitCounterRow = Selectable<RateLimitCountersTable>;
