import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EnvelopeSchema, JournalEntrySchema, JournalQuerySchema } from '@userflare/contract';
import { ok } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import type { Journal } from './journal.js';

/** `/__userflare/journal`: the last requests, newest first, filtered; and clearing them. */
export function journalRoutes(journal: Journal): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/journal',
      {
        schema: {
          querystring: JournalQuerySchema,
          response: responses(EnvelopeSchema(Type.Array(JournalEntrySchema))),
        },
      },
      async (request) => ok(journal.list(request.query)),
    );
    app.delete(
      '/journal',
      { schema: { response: responses(EnvelopeSchema(Type.Object({ cleared: Type.Integer() }))) } },
      async () => ok({ cleared: journal.clear() }),
    );
  };
}
