/**
 * Where this dashboard is served: `/dashboard` or a namespace's `/ns/<id>/dashboard`. The server writes
 * it into index.html's `<base href>`, so one build serves every prefix.
 */
export const BASE_PATH = new URL(document.baseURI).pathname.replace(/\/+$/, '');

/** A path inside the dashboard as the browser sees it, e.g. `dashboardHref('/tokens')`. */
export function dashboardHref(path: string): string {
  return `${BASE_PATH}${path.startsWith('/') ? path : `/${path}`}`;
}
