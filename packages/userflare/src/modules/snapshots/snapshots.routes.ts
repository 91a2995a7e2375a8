import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateSnapshotSchema,
  EnvelopeSchema,
  SnapshotNameSchema,
  SnapshotSchema,
} from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { ok } from '../../http/envelope.js';
import { responses } from '../../http/responses.js';
import { deleteSnapshot, listSnapshots, restoreSnapshot, saveSnapshot } from './snapshots.service.js';

const SnapshotParamsSchema = Type.Object({ name: SnapshotNameSchema });

/**
 * Named snapshots of the whole store, on the admin plane: register under `/__userflare`, behind the
 * X-Admin-Key hook. An unknown name answers 404 with 7003/7000.
 */
export function snapshotsRoutes(ctx: ServerContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/snapshots',
      { schema: { response: responses(EnvelopeSchema(Type.Array(SnapshotSchema))) } },
      async () => ok(await listSnapshots(ctx)),
    );

    app.post(
      '/snapshots',
      { schema: { body: CreateSnapshotSchema, response: responses(EnvelopeSchema(SnapshotSchema)) } },
      async (request) => ok(await saveSnapshot(ctx, request.body.name)),
    );

    app.post(
      '/snapshots/:name/restore',
      { schema: { params: SnapshotParamsSchema, response: responses(EnvelopeSchema(SnapshotSchema)) } },
      async (request) => ok(await restoreSnapshot(ctx, request.params.name)),
    );

    app.delete(
      '/snapshots/:name',
      {
        schema: {
          params: SnapshotParamsSchema,
          response: responses(EnvelopeSchema(Type.Object({ name: Type.String() }))),
        },
      },
      async (request) => ok(await deleteSnapshot(ctx, request.params.name)),
    );
  };
}
