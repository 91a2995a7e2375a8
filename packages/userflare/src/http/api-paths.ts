/** Where every API route is registered. */
export const API_PREFIX = '/client/v4';

/** Paths outside the API — the admin plane, health, the reference page, namespaces — or already under the prefix. */
const NOT_AT_ROOT = /^\/(__userflare|healthz|readyz|docs|ns|client\/v4)(\/|\?|$)/;

/**
 * The API is served at the root too (DESIGN, "Operating contract": SDK test suites use a base URL
 * without the prefix). Each route is registered once, under `/client/v4`, and a root request is
 * routed there: registering every route twice was a third of what building an app costs, which a
 * harness start and every namespace pay (issue 12). `request.originalUrl` keeps the path as sent.
 */
export function routedUrlOf(url: string): string {
  const path = url.startsWith('//') ? url.replace(/^\/+/, '/') : url;
  return NOT_AT_ROOT.test(path) ? url : `${API_PREFIX}${path}`;
}

/** Requests that no fault or journal entry is about: everything outside the API, and its document. */
export function isControlPath(url: string): boolean {
  return /^\/(__userflare|healthz|readyz|docs|ns|client\/v4\/openapi\.json)(\/|\?|$)/.test(url);
}
