/** The server's notion of now; one place so a controllable clock can replace it (DESIGN, "Emulator controls"). */
export interface Clock {
  now(): Date;
  /** The same instant as epoch milliseconds, without a Date: read on every request. */
  nowMs(): number;
}

export const systemClock: Clock = { now: () => new Date(), nowMs: () => Date.now() };

/** RFC 3339 UTC, milliseconds only when there are any: `2030-01-01T00:00:00Z` round-trips as sent. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * `formatTimestamp` of a time as the store keeps it (`Date#toISOString`), without parsing it again:
 * list pages render three per token.
 */
export function formatStoredTimestamp(stored: string): string {
  return stored.endsWith('.000Z') ? `${stored.slice(0, -5)}Z` : stored;
}

/**
 * Parses an RFC 3339 time, rounding finer-than-millisecond digits up: stored times have millisecond
 * precision, so `>= t` and `< t` bounds then keep exactly the entries the client's instant implies.
 */
export function parseInstantRoundingUp(value: string): Date {
  const instant = new Date(value);
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) instant.setTime(instant.getTime() + 1);
  return instant;
}
