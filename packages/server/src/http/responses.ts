import type { TSchema } from '@sinclair/typebox';
import { FailureEnvelopeSchema } from '@userflare/contract';
import type { FastifyReply } from 'fastify';
import type { ReadCache } from '../db/read-cache.js';

/** A route's responses: its success schema, and the failure envelope for every 4xx and 5xx. */
export function responses<T extends TSchema>(success: T) {
  return { 200: success, '4xx': FailureEnvelopeSchema, '5xx': FailureEnvelopeSchema };
}

/**
 * Answers a JSON body that depends on the store alone (no clock, no caller-specific state), serialized
 * by the route's own response schema once and reused until the next write: `GET /user`, audit pages.
 * Where reads are not cached (PostgreSQL), it is built and serialized on every request.
 * `byContentType`: the route declares its 200 schema per content type.
 */
export async function sendStoreBody(
  reads: ReadCache,
  reply: FastifyReply,
  key: string,
  build: () => Promise<{ [key: string]: unknown }>,
  { byContentType = false }: { byContentType?: boolean } = {},
): Promise<FastifyReply> {
  const serialize = (payload: { [key: string]: unknown }) =>
    (byContentType
      ? reply.serializeInput(payload, '200', 'application/json')
      : reply.serializeInput(payload, '200')) as string;
  const body = await reads.read(`body:${key}`, async () => ({ json: serialize(await build()) }), {
    weight: (kept) => Math.ceil(kept.json.length / 1024),
  });
  return reply.type('application/json; charset=utf-8').send(body.json);
}
