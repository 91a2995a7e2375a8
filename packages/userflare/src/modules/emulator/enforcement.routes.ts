import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EnforcementSchema,
  EnvelopeSchema,
  ExplainRequestSchema,
  ExplanationSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { explainAccess } from '../../http/authenticate.js';
import { ok } from '../../http/envelope.js';
import { apiErrors } from '../../http/errors.js';
import { responses } from '../../http/responses.js';
import type { EmulatorControls } from './emulator-controls.js';
import type { RouteRegistry } from './route-registry.js';

const enforcementResponses = { response: responses(EnvelopeSchema(EnforcementSchema)) };

/** `/__userflare/enforcement`: enforce, or only report (an emulator control). */
export function enforcementRoutes(controls: EmulatorControls): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/enforcement', { schema: enforcementResponses }, async () => ok(controls.enforcement));
    app.put(
      '/enforcement',
      { schema: { body: EnforcementSchema, ...enforcementResponses } },
      async (request) => {
        controls.enforcement.mode = request.body.mode;
        return ok(controls.enforcement);
      },
    );
  };
}

/**
 * `/__userflare/explain`: why a token would be refused on a route. It reads and changes nothing, so
 * service mode keeps it: an operator's answer to "why was this token refused?".
 */
export function explainRoutes(ctx: ServerContext, registry: RouteRegistry): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/explain',
      { schema: { body: ExplainRequestSchema, response: responses(EnvelopeSchema(ExplanationSchema)) } },
      async (request) => {
        const { token, method, path, ip = '127.0.0.1' } = request.body;
        const route = registry.find(method, path);
        if (!route) throw apiErrors.noRoute(path);
        const denial = await explainAccess(ctx, route.access, token, ip);
        return ok({ allowed: denial === null, route: { method, path }, denial });
      },
    );
  };
}
