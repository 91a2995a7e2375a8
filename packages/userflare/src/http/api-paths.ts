/** Where every API route is registered. */
export const API_PREFIX = '/client/v4';

/** Where the admin plane is served, on the API's listener or on one of its own (issue 15). */
export const ADMIN_PREFIX = '/__userflare';

/** A path of the admin plane: `/__userflare` and below. */
export function isAdminPath(path: string): boolean {
  return /^\/__userflare(\/|\?|$)/.test(path);
}

/** Where the dashboard (issue 13) is served, and its same-origin API proxy. */
export const DASHBOARD_PATH = '/dashboard';
export const DASHBOARD_API_PATH = `${DASHBOARD_PATH}/api`;

/** Paths outside the API — the admin plane, health, metrics, the reference page, namespaces, the dashboard — or already under the prefix. */
const NOT_AT_ROOT = /^\/(__userflare|healthz|readyz|metrics|docs|ns|client\/v4|dashboard)(\/|\?|$)/;
const NOT_AT_ROOT_WITHOUT_DASHBOARD = /^\/(__userflare|healthz|readyz|metrics|docs|ns|client\/v4)(\/|\?|$)/;

/** The dashboard's proxy: `/dashboard/api/client/v4/…` and `/dashboard/api/__userflare/…`. */
const DASHBOARD_PROXY = /^\/dashboard\/api(?=\/(client\/v4|__userflare)(\/|\?|$))/;

function withoutDuplicateLeadingSlashes(url: string): string {
  return url.startsWith('//') ? url.replace(/^\/+/, '/') : url;
}

/**
 * The API is served at the root too (DESIGN, "Operating contract": SDK test suites use a base URL
 * without the prefix). Each route is registered once, under `/client/v4`, and a root request is
 * routed there: registering every route twice was a third of what building an app costs, which a
 * harness start and every namespace pay (issue 12). The dashboard's proxy is routed the same way, to
 * the same handlers: `/dashboard/api/client/v4/…` → `/client/v4/…`, `/dashboard/api/__userflare/…` →
 * `/__userflare/…`. `request.originalUrl` keeps the path as sent. With the dashboard off, `/dashboard`
 * is a path like any other.
 */
export function routedUrlOf(url: string, dashboard = true): string {
  const path = withoutDuplicateLeadingSlashes(url);
  if (!dashboard) return NOT_AT_ROOT_WITHOUT_DASHBOARD.test(path) ? url : `${API_PREFIX}${path}`;
  if (path.startsWith(DASHBOARD_API_PATH) && DASHBOARD_PROXY.test(path)) {
    return path.slice(DASHBOARD_API_PATH.length);
  }
  return NOT_AT_ROOT.test(path) ? url : `${API_PREFIX}${path}`;
}

/**
 * A request the dashboard made: under `/dashboard/api/` (an app's own paths, so `/ns/<id>` is already
 * gone in a namespace's app). Its credential is its session cookie, never its headers.
 */
export function isDashboardApiPath(url: string): boolean {
  const path = withoutDuplicateLeadingSlashes(url);
  const end = DASHBOARD_API_PATH.length;
  return path.startsWith(DASHBOARD_API_PATH) && (path.length === end || '/?'.includes(path.charAt(end)));
}

/** Any path of the dashboard: its files, its pages, its session routes and its proxy. */
export function isDashboardPath(url: string): boolean {
  const path = withoutDuplicateLeadingSlashes(url);
  const end = DASHBOARD_PATH.length;
  return path.startsWith(DASHBOARD_PATH) && (path.length === end || '/?'.includes(path.charAt(end)));
}

/**
 * The path a fault rule matches: a proxied dashboard request as the API request it stands for, so a
 * rule on `/user/tokens` fails the dashboard's tokens screen too.
 */
export function apiPathOf(url: string): string {
  const path = withoutDuplicateLeadingSlashes(url);
  return path.startsWith(DASHBOARD_API_PATH) && DASHBOARD_PROXY.test(path)
    ? path.slice(DASHBOARD_API_PATH.length)
    : url;
}

/**
 * Requests that no fault or journal entry is about: everything outside the API, and its document. The
 * dashboard's files and session routes are outside it; its proxied API requests (`/dashboard/api/client/v4/…`)
 * are API requests like any other.
 */
export function isControlPath(url: string): boolean {
  if (/^\/(__userflare|healthz|readyz|metrics|docs|ns|client\/v4\/openapi\.json)(\/|\?|$)/.test(url))
    return true;
  return isDashboardPath(url) && !/^\/+dashboard\/api\/client\/v4(\/|\?|$)/.test(url);
}
