const DASHBOARD_PROXY = /\/dashboard\/api(?=\/client\/v4\/)/;

/** Whether the dashboard's own proxy sent the request (with a session cookie, not a credential). */
export function viaDashboard(path: string): boolean {
  return DASHBOARD_PROXY.test(path);
}
