const UNITS: [string, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "2 days 3 hours" — the two largest units of a span, for the clock's offset from real time. */
export function spanInWords(ms: number): string {
  let rest = Math.abs(Math.round(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) {
      parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    } else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(' ') : 'less than a second';
}

/** `2030-01-01 00:00:00 UTC` from an ISO time. */
export function utcText(ms: number): string {
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/** The value of an `<input type="datetime-local">` read as UTC (the API's times are UTC). */
export function localInputToIso(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(value);
  if (!match) return undefined;
  const iso = `${match[1]}T${match[2]}${match[3] ?? ':00'}Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** The other way: an instant as a `datetime-local` value in UTC. */
export function isoToLocalInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
