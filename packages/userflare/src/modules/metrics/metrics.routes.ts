import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { apiErrors } from '../../http/errors.js';
import type { Metrics } from './metrics.js';

const BEARER = /^Bearer +(\S+) *$/i;

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `/metrics`' guard on the API's port: the admin key, as `X-Admin-Key` or as
 * `Authorization: Bearer <admin key>`, which Prometheus sends from a scrape config's `authorization`
 * block. `/metrics` is not an API route, so a Bearer value here is never taken for an API token.
 *
 * @param isAdminKey compares a presented value with the admin key in constant time
 * @example
 * metricsGuard((presented) => secrets.adminKey.matches(presented))
 */
export function metricsGuard(isAdminKey: (presented: string | undefined) => boolean): onRequestHookHandler {
  return (request: FastifyRequest, _reply, done) => {
    const bearer = BEARER.exec(firstOf(request.headers.authorization) ?? '')?.[1];
    const key = firstOf(request.headers['x-admin-key']);
    if ((key !== undefined && isAdminKey(key)) || (bearer !== undefined && isAdminKey(bearer))) return done();
    done(apiErrors.invalidAdminKey());
  };
}

/**
 * `GET /metrics`: the app's metrics in Prometheus text format (docs/metrics.md). Behind `guard` on the
 * API's port; without one on a listener of its own (`USERFLARE_ADMIN_LISTEN`).
 */
export function metricsRoute(metrics: Metrics, guard: onRequestHookHandler | undefined) {
  return async (app: FastifyInstance) => {
    app.get(
      '/metrics',
      { ...(guard ? { onRequest: guard } : {}), schema: { hide: true } },
      async (_request, reply) => {
        const text = await metrics.exposition();
        return reply.type(metrics.contentType).send(text);
      },
    );
  };
}
