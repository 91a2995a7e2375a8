/** The server's notion of now; one place so a controllable clock can replace it (DESIGN, "Emulator controls"). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** RFC 3339 UTC, milliseconds only when there are any: `2030-01-01T00:00:00Z` round-trips as sent. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
