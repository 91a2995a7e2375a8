import type { FastifyReply, FastifyRequest } from 'fastify';
import { DOCS_CSP } from './openapi.js';

/**
 * The headers every answer carries, errors and answers written straight to the socket included (issue
 * 15):
 *
 * - `X-Content-Type-Options: nosniff`: a browser takes a JSON or CSV answer for what its type says,
 *   never for a script or a page.
 * - `Cache-Control: no-store`: answers belong to a credential (a token, a global key, the admin key, a
 *   session), and several show a secret once (a created or rolled token, the users, seed and reset
 *   answers of the admin plane). A shared cache only keeps away from answers to `Authorization` on its
 *   own (RFC 9111 §3.5), and `X-Auth-Key` and `X-Admin-Key` are not that. What Cloudflare itself sends
 *   here is not recorded (REFERENCE and CLIENTS are silent), and neither the SDK nor wrangler reads it
 *   (CLIENTS §1). A route whose answer may be cached says so itself: the dashboard's hashed files.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * The reference page's headers on top: its CSP (see `DOCS_CSP`), no framing by another site, and no
 * referrer for the links it shows. The dashboard sends its own set (dashboard-security.ts).
 */
const DOCS_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-security-policy': DOCS_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** `/docs` and below, as routed: the reference page, its files and its copy of the document. */
const DOCS_PATH = /^\/+docs(\/|\?|$)/;

/**
 * Writes the security headers onto `reply` before any other hook runs, so an answer given early (401,
 * 404, 503) carries them too; call it from the first `onRequest` hook (`createFastify` in app.ts).
 */
export function writeSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(DOCS_PATH.test(request.url) ? DOCS_HEADERS : SECURITY_HEADERS);
}
