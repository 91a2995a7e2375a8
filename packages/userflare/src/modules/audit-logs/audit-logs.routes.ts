import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AuditLogSchema,
  type ListAuditLogsQuery,
  ListAuditLogsQuerySchema,
  PagedEnvelopeSchema,
} from '@userflare/contract';
import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../../context.js';
import { paged } from '../../http/envelope.js';
import { responses, sendStoreBody } from '../../http/responses.js';
import { access } from '../../http/route-access.js';
import { auditLogsToCsv, listAuditLogsOfUser } from './audit-logs.service.js';

/** `export=true`: the page as CSV, a download (REFERENCE §9). */
async function sendCsv(
  ctx: ServerContext,
  reply: FastifyReply,
  userId: string,
  query: ListAuditLogsQuery,
): Promise<void> {
  const page = await listAuditLogsOfUser(ctx, userId, query);
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="audit_logs.csv"')
    .send(auditLogsToCsv(page.items));
}

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
      (request, reply) => {
        const { userId } = request.auth;
        if (request.query.export) return sendCsv(ctx, reply, userId, request.query);
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
