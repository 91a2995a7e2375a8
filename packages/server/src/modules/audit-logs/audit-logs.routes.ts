import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditLogSchema, ListAuditLogsQuerySchema, PagedEnvelopeSchema } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { paged } from '../../http/envelope.js';
import { responses, sendStoreBody } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { auditLogsToCsv, listAuditLogsOfUser } from './audit-logs.service.js';

export function auditLogsRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/user/audit_logs',
      {
        config: { access: access.accountSettingsRead },
        schema: {
          querystring: ListAuditLogsQuerySchema,
          response: {
            ...responses(PagedEnvelopeSchema(AuditLogSchema)),
            // `export=true` answers CSV (REFERENCE §9).
            200: {
              content: {
                'application/json': { schema: PagedEnvelopeSchema(AuditLogSchema) },
                'text/csv': { schema: Type.String() },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { userId } = request.auth;
        if (request.query.export) {
          const page = await listAuditLogsOfUser(ctx, userId, request.query);
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="audit_logs.csv"')
            .send(auditLogsToCsv(page.items));
        }
        // Entries never change and the filters name their times: a page depends on the rows alone.
        return sendStoreBody(
          ctx.reads,
          reply,
          `audit-logs:${userId}:${JSON.stringify(request.query)}`,
          async () => {
            const page = await listAuditLogsOfUser(ctx, userId, request.query);
            return paged(page.items, page, page.totalCount);
          },
          { byContentType: true },
        );
      },
    );
  };
}
