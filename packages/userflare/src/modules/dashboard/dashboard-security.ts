import type { FastifyRequest } from 'fastify';

/**
 * The dashboard's Content Security Policy (issue 13): everything from this origin, no inline script,
 * nothing framed. The one place to relax it — e.g. `style-src 'self' 'unsafe-inline'` should the
 * dashboard's components need inline styles.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/**
 * The headers on every response under `/dashboard`: files, pages, session routes, proxied API and
 * admin answers, errors. They are @fastify/helmet's set (its defaults, with our CSP and
 * `X-Frame-Options: DENY`; a test checks they match what helmet sends with those options), written
 * out because helmet's hooks run per plugin context: the proxied answers come from the API's own
 * routes, which must not pay helmet's async hook on every request. HSTS only over https: on plain
 * http it would be ignored, or pin a loopback host's every port to https.
 */
const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const HTTPS_HEADERS: Readonly<Record<string, string>> = {
  ...HEADERS,
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/** The security headers of a dashboard response: HSTS only when the request came over https. */
export function dashboardSecurityHeaders(protocol: string): Readonly<Record<string, string>> {
  return protocol === 'https' ? HTTPS_HEADERS : HEADERS;
}

/** The header the dashboard sends on every unsafe request: a page on another site cannot add it to a form post. */
export const DASHBOARD_HEADER = 'x-userflare-dashboard';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function shown(value: string): string {
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
}

/**
 * Why an unsafe dashboard request may have come from another site, or undefined when it may not
 * (issue 13): its `Origin` must be this server's own, and it must carry `X-Userflare-Dashboard: 1`.
 * SameSite=Strict already keeps the cookie off cross-site requests; these hold where it does not
 * (an older browser, a sibling subdomain on the same site).
 */
export function crossSiteProblem(request: FastifyRequest): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const { origin } = request.headers;
  const own = `${request.protocol}://${request.host}`;
  if (origin === undefined) return 'the Origin header is missing';
  if (origin !== own) return `the Origin header ${shown(origin)} is not this server's origin ${shown(own)}`;
  if (request.headers[DASHBOARD_HEADER] !== '1') return 'the X-Userflare-Dashboard: 1 header is missing';
  return undefined;
}
