import type { AuditLogListParams } from '@userflare/client';

/**
 * The filters of `GET /user/audit_logs`, named exactly as the API's query parameters (REFERENCE §2.3),
 * so the page URL is the API query: `?actor.email=a@b.c&since=2024-05-01T00:00:00Z` can be shared.
 */
export const FILTER_KEYS = [
  'action.type',
  'actor.ip',
  'actor.email',
  'since',
  'before',
  'zone.name',
  'direction',
  'per_page',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type AuditFilters = Partial<Record<FilterKey, string>>;

/** The API's default page size for the audit log (REFERENCE §2.3). */
export const DEFAULT_PER_PAGE = 100;

/** The filters and page of the URL; values stay as typed, so the API judges them (and answers 400). */
export function readFilters(params: URLSearchParams): { filters: AuditFilters; page: number } {
  const filters: AuditFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  const page = Number(params.get('page') ?? '1');
  return { filters, page: Number.isInteger(page) && page > 0 ? page : 1 };
}

export function writeFilters(filters: AuditFilters, page = 1): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  if (page > 1) params.set('page', String(page));
  return params;
}

/** The SDK's nested form of the filters, which it sends under the same dotted names. */
export function listParams(filters: AuditFilters, page: number): AuditLogListParams {
  const params: AuditLogListParams = { page };
  if (filters['action.type']) params.action = { type: filters['action.type'] };
  if (filters['actor.ip'] || filters['actor.email'])
    params.actor = { ip: filters['actor.ip'], email: filters['actor.email'] };
  if (filters['zone.name']) params.zone = { name: filters['zone.name'] };
  if (filters.since) params.since = filters.since;
  if (filters.before) params.before = filters.before;
  if (filters.direction) params.direction = filters.direction as AuditLogListParams['direction'];
  // Sent as typed, even when not a number: the SDK writes it into the query and the API refuses it.
  params.per_page = (filters.per_page ?? DEFAULT_PER_PAGE) as number;
  return params;
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An API bound (`2024-05-01` or an RFC 3339 date-time) as a `datetime-local` value, read in UTC;
 * '' when it is neither (the URL keeps it, and the API's 400 says what is wrong).
 */
export function boundToLocalInput(value: string | undefined): string {
  if (!value) return '';
  if (FULL_DATE.test(value)) return `${value}T00:00`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.slice(17, 19) === '00' ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** A `datetime-local` value, meant as UTC (the field says so), as the API's RFC 3339 date-time. */
export function localInputToBound(value: string): string {
  if (!value) return '';
  return /T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : `${value}Z`;
}
