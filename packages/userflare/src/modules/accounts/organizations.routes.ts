import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EnvelopeSchema,
  LeaveOrganizationResultSchema,
  ListOrganizationsQuerySchema,
  OrganizationIdParamsSchema,
  OrganizationSchema,
  PagedEnvelopeSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { actorOf } from '../../http/authenticate.js';
import { ok, paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { getOrganization, leaveOrganization, listOrganizations } from './organizations.service.js';

/** The deprecated `/user/organizations` routes (REFERENCE §2.9–2.11). */
export function organizationsRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/user/organizations',
      {
        config: { access: access.membershipsRead },
        schema: {
          querystring: ListOrganizationsQuerySchema,
          response: responses(PagedEnvelopeSchema(OrganizationSchema)),
        },
      },
      async (request) => {
        const invitee = { userId: request.auth.userId, email: request.auth.email };
        const page = await listOrganizations(ctx, invitee, request.query);
        return paged(page.items, page, page.totalCount);
      },
    );

    app.get(
      '/user/organizations/:organization_id',
      {
        config: { access: access.membershipsRead },
        schema: {
          params: OrganizationIdParamsSchema,
          response: responses(EnvelopeSchema(OrganizationSchema)),
        },
      },
      async (request) => {
        const invitee = { userId: request.auth.userId, email: request.auth.email };
        return ok(await getOrganization(ctx, invitee, request.params.organization_id));
      },
    );

    // The success body is the bare `{id}`, no envelope (REFERENCE §2.11; the SDK returns it as-is).
    app.delete(
      '/user/organizations/:organization_id',
      {
        config: { access: access.membershipsWrite },
        schema: { params: OrganizationIdParamsSchema, response: responses(LeaveOrganizationResultSchema) },
      },
      async (request) => leaveOrganization(ctx, actorOf(request), request.params.organization_id),
    );
  };
}
