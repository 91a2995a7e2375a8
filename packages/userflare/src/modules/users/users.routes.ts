import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EditUserSchema, EnvelopeSchema, UserSchema } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { actorOf } from '../../http/authenticate.js';
import { ok } from '../../http/envelope.js';
import { responses, sendStoreBody } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { editUser, getUser } from './users.service.js';

export function usersRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/user',
      {
        config: { access: access.userDetailsRead },
        schema: { response: responses(EnvelopeSchema(UserSchema)) },
      },
      (request, reply) =>
        sendStoreBody(ctx.reads, reply, `user:${request.auth.userId}`, async () =>
          ok(await getUser(ctx, request.auth.userId)),
        ),
    );

    app.patch(
      '/user',
      {
        config: { access: access.userDetailsWrite },
        schema: { body: EditUserSchema, response: responses(EnvelopeSchema(UserSchema)) },
      },
      async (request) => ok(await editUser(ctx, actorOf(request), request.body)),
    );
  };
}
