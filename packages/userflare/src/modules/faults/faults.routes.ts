import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CreateFaultSchema, EnvelopeSchema, FaultSchema } from '@userflare/contract';
import { ok } from '../../http/envelope.js';
import { ResourceNotFoundError } from '../../http/errors.js';
import { responses } from '../../http/responses.js';
import type { FaultRules } from './fault-rules.js';

const Cleared = EnvelopeSchema(Type.Object({ cleared: Type.Integer() }));

/** `/__userflare/faults`: rules that make matching API requests fail or wait. */
export function faultsRoutes(rules: FaultRules): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/faults',
      { schema: { response: responses(EnvelopeSchema(Type.Array(FaultSchema))) } },
      async () => ok(rules.list()),
    );
    app.post(
      '/faults',
      { schema: { body: CreateFaultSchema, response: responses(EnvelopeSchema(FaultSchema)) } },
      async (request) => ok(rules.add(request.body)),
    );
    app.delete('/faults', { schema: { response: responses(Cleared) } }, async () =>
      ok({ cleared: rules.clear() }),
    );
    app.delete(
      '/faults/:id',
      {
        schema: {
          params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$' }) }),
          response: responses(EnvelopeSchema(Type.Object({ id: Type.String() }))),
        },
      },
      async (request) => {
        if (!rules.delete(request.params.id)) throw new ResourceNotFoundError();
        return ok({ id: request.params.id });
      },
    );
  };
}
