import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditLogSchema, ListAuditLogsQuerySchema, PagedEnvelopeSchema } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { paged } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
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
        const page = await listAuditLogsOfUser(ctx, request.auth.userId, request.query);
        if (request.query.export) {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="audit_logs.csv"')
            .send(auditLogsToCsv(page.items));
        }
        return paged(page.items, page, page.totalCount);
      },
    );
  };
}
