import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EnvelopeSchema,
  InviteIdParamsSchema,
  InviteSchema,
  PagedEnvelopeSchema,
  RespondToInviteSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { actorOf } from '../../http/authenticate.js';
import { ok, paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { getInvite, listInvites, respondToInvite } from './invites.service.js';

export function invitesRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // A SinglePage for the SDK (REFERENCE §2.6): everything addressed to the user in one answer.
    app.get(
      '/user/invites',
      {
        config: { access: access.membershipsRead },
        schema: { response: responses(PagedEnvelopeSchema(InviteSchema)) },
      },
      async (request) => {
        const invites = await listInvites(ctx, { userId: request.auth.userId, email: request.auth.email });
        return paged(invites, { page: 1, perPage: Math.max(invites.length, 1) }, invites.length);
      },
    );

    app.get(
      '/user/invites/:invite_id',
      {
        config: { access: access.membershipsRead },
        schema: { params: InviteIdParamsSchema, response: responses(EnvelopeSchema(InviteSchema)) },
      },
      async (request) =>
        ok(
          await getInvite(
            ctx,
            { userId: request.auth.userId, email: request.auth.email },
            request.params.invite_id,
          ),
        ),
    );

    app.patch(
      '/user/invites/:invite_id',
      {
        config: { access: access.membershipsWrite },
        schema: {
          params: InviteIdParamsSchema,
          body: RespondToInviteSchema,
          response: responses(EnvelopeSchema(InviteSchema)),
        },
      },
      async (request) =>
        ok(await respondToInvite(ctx, actorOf(request), request.params.invite_id, request.body.status)),
    );
  };
}
