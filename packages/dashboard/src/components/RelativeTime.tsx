import { Tooltip } from '@cloudflare/kumo/components/tooltip';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];
const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "in 2 days", "< 1 min ago" (Unkey's wording for the freshest use). */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 60) return seconds <= 0 ? '< 1 min ago' : 'in < 1 min';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(Math.trunc(seconds / 60), 'minute');
}

/** The exact time, in UTC, as the API gives it. */
export function utcTime(iso: string): string {
  return `${new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/**
 * A relative time whose exact UTC time shows on hover *and* on keyboard focus (research §2.2);
 * `empty` when there is no time (e.g. "Never" for a token not used yet).
 */
export function RelativeTime({ iso, empty = '—' }: { iso: string | null | undefined; empty?: string }) {
  if (!iso) return <span>{empty}</span>;
  const exact = utcTime(iso);
  return (
    <Tooltip content={exact} asChild>
      <button
        type="button"
        aria-label={`${relativeTime(iso)} (${exact})`}
        className="cursor-default underline decoration-dotted underline-offset-2"
      >
        <time dateTime={iso}>{relativeTime(iso)}</time>
      </button>
    </Tooltip>
  );
}
