import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  DeleteSubscriptionResultSchema,
  EnvelopeSchema,
  PagedEnvelopeSchema,
  SubscriptionIdParamsSchema,
  SubscriptionSchema,
  UpdateSubscriptionSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { actorOf } from '../../http/authenticate.js';
import { ok, paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { deleteSubscription, listSubscriptions, updateSubscription } from './subscriptions.service.js';

export function subscriptionsRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // A SinglePage for the SDK (REFERENCE §2.12).
    app.get(
      '/user/subscriptions',
      {
        config: { access: access.billingRead },
        schema: { response: responses(PagedEnvelopeSchema(SubscriptionSchema)) },
      },
      async (request) => {
        const subscriptions = await listSubscriptions(ctx, request.auth.userId);
        return paged(
          subscriptions,
          { page: 1, perPage: Math.max(subscriptions.length, 1) },
          subscriptions.length,
        );
      },
    );

    app.put(
      '/user/subscriptions/:identifier',
      {
        config: { access: access.billingWrite },
        schema: {
          params: SubscriptionIdParamsSchema,
          body: UpdateSubscriptionSchema,
          response: responses(EnvelopeSchema(SubscriptionSchema)),
        },
      },
      async (request) =>
        ok(await updateSubscription(ctx, actorOf(request), request.params.identifier, request.body)),
    );

    // The success body is the bare `{subscription_id}`, no envelope (REFERENCE §2.14).
    app.delete(
      '/user/subscriptions/:identifier',
      {
        config: { access: access.billingWrite },
        schema: { params: SubscriptionIdParamsSchema, response: responses(DeleteSubscriptionResultSchema) },
      },
      async (request) => deleteSubscription(ctx, actorOf(request), request.params.identifier),
    );
  };
}
