import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ListPermissionGroupsQuerySchema,
  PagedEnvelopeSchema,
  PermissionGroupSchema,
} from '@userflare/contract';
import { paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { listPermissionGroups } from './permission-groups.service.js';

export function permissionGroupsRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    // A SinglePage for the SDK (REFERENCE §2.21); `result_info` describes the one page.
    app.get(
      '/user/tokens/permission_groups',
      {
        config: { access: access.apiTokensRead },
        schema: {
          querystring: ListPermissionGroupsQuerySchema,
          response: responses(PagedEnvelopeSchema(PermissionGroupSchema)),
        },
      },
      async (request) => {
        const groups = listPermissionGroups(request.query);
        return paged(groups, { page: 1, perPage: Math.max(groups.length, 1) }, groups.length);
      },
    );
  };
}
