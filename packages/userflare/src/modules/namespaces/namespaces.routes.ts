import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CreateNamespaceSchema, EnvelopeSchema, NamespaceSchema } from '@userflare/contract';
import type { FastifyRequest } from 'fastify';
import { ok } from '../../http/envelope.js';
import { ResourceNotFoundError } from '../../http/errors.js';
import { responses } from '../../http/responses.js';
import type { Namespaces } from './namespaces.js';

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** `/__userflare/namespaces`: create, list and delete independent worlds. */
export function namespacesRoutes(namespaces: Namespaces): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/namespaces',
      { schema: { response: responses(EnvelopeSchema(Type.Array(NamespaceSchema))) } },
      async (request) => ok(namespaces.list(originOf(request))),
    );
    app.post(
      '/namespaces',
      { schema: { body: CreateNamespaceSchema, response: responses(EnvelopeSchema(NamespaceSchema)) } },
      async (request) => ok(await namespaces.create(request.body, originOf(request))),
    );
    app.delete(
      '/namespaces/:id',
      {
        schema: {
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
          response: responses(EnvelopeSchema(Type.Object({ id: Type.String() }))),
        },
      },
      async (request) => {
        if (!(await namespaces.delete(request.params.id))) throw new ResourceNotFoundError();
        return ok({ id: request.params.id });
      },
    );
  };
}
