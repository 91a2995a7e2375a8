import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BillingHistorySchema,
  BillingProfileSchema,
  EnvelopeSchema,
  ListBillingHistoryQuerySchema,
  PagedEnvelopeSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { ok, paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { getBillingProfile, listBillingHistoryOfUser } from './billing.service.js';

export function billingRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/user/billing/history',
      {
        config: { access: access.billingRead },
        schema: {
          querystring: ListBillingHistoryQuerySchema,
          response: responses(PagedEnvelopeSchema(BillingHistorySchema)),
        },
      },
      async (request) => {
        const page = await listBillingHistoryOfUser(ctx, request.auth.userId, request.query);
        return paged(page.items, page, page.totalCount);
      },
    );

    app.get(
      '/user/billing/profile',
      {
        config: { access: access.billingRead },
        schema: { response: responses(EnvelopeSchema(BillingProfileSchema)) },
      },
      async (request) => ok(await getBillingProfile(ctx, request.auth.userId)),
    );
  };
}
