import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AccountSchema,
  ListAccountsQuerySchema,
  MembershipSchema,
  PagedEnvelopeSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { policiesOf } from '../../http/authenticate.js';
import { paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { listAccounts, listMemberships } from './accounts.service.js';

/** `/accounts` and `/memberships`: what wrangler reads after `/user` (CLIENTS §9). */
export function accountsRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/accounts',
      {
        config: { access: access.authenticated },
        schema: {
          querystring: ListAccountsQuerySchema,
          response: responses(PagedEnvelopeSchema(AccountSchema)),
        },
      },
      async (request) => {
        const pageRequest = { page: request.query.page ?? 1, perPage: request.query.per_page ?? 20 };
        const page = await listAccounts(ctx.db, request.auth.userId, policiesOf(request), pageRequest);
        return paged(page.items, pageRequest, page.totalCount);
      },
    );

    app.get(
      '/memberships',
      {
        config: { access: access.authenticated },
        schema: {
          querystring: ListAccountsQuerySchema,
          response: responses(PagedEnvelopeSchema(MembershipSchema)),
        },
      },
      async (request) => {
        const pageRequest = { page: request.query.page ?? 1, perPage: request.query.per_page ?? 20 };
        const page = await listMemberships(ctx.db, request.auth.userId, policiesOf(request), pageRequest);
        return paged(page.items, pageRequest, page.totalCount);
      },
    );
  };
}
