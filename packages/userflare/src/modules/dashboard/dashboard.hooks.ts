import { fastifyCookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isDashboardApiPath, isDashboardPath } from '../../http/api-paths.js';
import type { PermissionRoute } from '../../http/authenticate.js';
import { apiErrors } from '../../http/errors.js';
import type { RegisteredRoute } from '../../http/openapi.js';
import { crossSiteProblem, dashboardSecurityHeaders } from './dashboard-security.js';
import type { DashboardSessions } from './dashboard-sessions.service.js';
import { SESSION_COOKIE } from './dashboard-sessions.service.js';

/** The session id the request's cookie names, if any. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(SESSION_COOKIE)) return undefined;
  return fastifyCookie.parse(header)[SESSION_COOKIE];
}

/**
 * Before anything else answers a dashboard path: its security headers, on whatever the answer turns
 * out to be (a file, a page, a proxied API or admin answer, an error); then, for a dashboard API
 * request, the cross-site checks of an unsafe method and its session, loaded into `request.dashboard`
 * before the admin plane's guard and each API route's authentication read it (on the dashboard's
 * proxy the session is the credential: `callerOf` in http/authenticate.ts). One callback hook, run on
 * every request: any other path pays one prefix check. `storeOpen` is false while the store is not
 * migrated yet; the request is then refused as starting, after this hook, sessionless.
 */
export function installDashboardRequests(
  app: FastifyInstance,
  sessions: DashboardSessions,
  prefix: string,
  storeOpen: () => boolean,
): void {
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.originalUrl;
    if (!isDashboardPath(url)) return done();
    reply.headers(dashboardSecurityHeaders(request.protocol));
    if (!isDashboardApiPath(url)) return done();
    const problem = crossSiteProblem(request);
    if (problem !== undefined) return done(apiErrors.crossSiteRequest(problem));
    const found = storeOpen() ? sessions.load(sessionIdOf(request)) : Promise.resolve(null);
    found.then((session) => {
      request.dashboard = {
        prefix,
        session,
        endSession: () => (session ? sessions.end(session.idHash) : Promise.resolve()),
      };
      done();
    }, done);
  });
}

/**
 * Every API route that needs a permission group, keyed `"<METHOD> <route pattern>"` as registered
 * (`"PUT /client/v4/user/tokens/:token_id/value"`): what a session's capabilities are decided on.
 */
export function permissionRoutesOf(routes: readonly RegisteredRoute[]): PermissionRoute[] {
  return routes.flatMap(({ method, url, access }) =>
    access?.kind === 'permission' && method !== 'HEAD'
      ? [{ key: `${method} ${url}`, permission: access.permission }]
      : [],
  );
}
