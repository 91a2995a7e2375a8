import type { Denial } from '@userflare/contract';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientIp } from '../../http/authenticate.js';
import { type Metrics, NAMESPACE_ROUTE, type RefusalReason, UNMATCHED_ROUTE } from './metrics.js';

/** The route pattern, never the path: ids and any credential a client put in a path stay out of labels. */
function routeOf(request: FastifyRequest): string {
  if (request.namespaceId) return NAMESPACE_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** A dashboard sign-in refused (issue 13) explains itself in its header only: no request runs as the caller. */
function denialOf(
  request: FastifyRequest,
  reply: FastifyReply,
): Pick<Denial, 'reason' | 'reported_only' | 'credential'> | null {
  if (request.denial) return request.denial;
  if (reply.statusCode < 400) return null;
  const header = reply.getHeader('userflare-denial');
  if (typeof header !== 'string') return null;
  try {
    return JSON.parse(header) as Denial;
  } catch {
    return null;
  }
}

/** A refusal of the admin plane's guard (or of `/metrics`'), which sets no denial. */
function refusedAdminKey(route: string, status: number): boolean {
  return status === 401 && (route === '/metrics' || route.startsWith('/__userflare'));
}

/**
 * Counts every answered request by route pattern and status, with its duration, and every refused
 * credential by reason (issue 15). A refusal that was enforced also leaves a `warn` line with the
 * client's address and the reason, never the credential: what a service's operator alerts on. One
 * callback hook: a counter and a histogram per request, the rest only on refusals.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    metrics.observeRequest(request.method, route, status, reply.elapsedTime);
    let reason: RefusalReason | undefined;
    let reportedOnly = false;
    let credential: Denial['credential'] | undefined;
    const denial = denialOf(request, reply);
    if (denial) {
      ({ reason, credential } = denial);
      reportedOnly = denial.reported_only === true;
    } else if (refusedAdminKey(route, status)) reason = 'invalid_admin_key';
    if (reason !== undefined) {
      metrics.countRefusal(reason, reportedOnly);
      if (!reportedOnly) {
        request.log.warn(
          {
            clientAddress: clientIp(request),
            reason,
            method: request.method,
            route,
            status,
            ...(credential?.token_id ? { tokenId: credential.token_id } : {}),
            ...(credential?.user_id ? { userId: credential.user_id } : {}),
          },
          reason === 'permission_missing' ? 'authorization refused' : 'authentication refused',
        );
      }
    }
    done();
  });
}
