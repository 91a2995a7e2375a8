import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { routedUrlOf } from '../../http/api-paths.js';
import type { RouteAccess } from '../../http/route-access.js';

/**
 * What each API route asks of its caller, found by method and path as a client would send them: the
 * explain control judges a credential without calling the route. Filled as routes register.
 */
export class RouteRegistry {
  readonly #router = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (!access) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method !== 'HEAD') this.#router.on(method as HTTPMethod, route.url, () => {}, { access });
      }
    });
  }

  /** The route's access rule; `undefined` when no API route answers this method and path. */
  find(method: string, path: string): { access: RouteAccess } | undefined {
    const found = this.#router.find(method as HTTPMethod, routedUrlOf(path.split('?')[0] ?? path));
    return found ? (found.store as { access: RouteAccess }) : undefined;
  }
}
