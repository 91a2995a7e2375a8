import type { TSchema } from '@sinclair/typebox';
import { FailureEnvelopeSchema } from '@userflare/contract';
import type { FastifyReply } from 'fastify';
import type { ReadCache } from '../db/read-cache.js';
import { type PageRequest, paged } from './envelope.js';

/** A route's responses: its success schema, and the failure envelope for every 4xx and 5xx. */
export function responses<T extends TSchema>(success: T) {
  return { 200: success, '4xx': FailureEnvelopeSchema, '5xx': FailureEnvelopeSchema };
}

/**
 * Answers a JSON body that depends on the store alone (no clock, no caller-specific state), serialized
 * by the route's own response schema once and reused until the next write: `GET /user`, audit pages.
 * Where reads are not cached (PostgreSQL), it is built and serialized on every request. Returns the
 * promise a handler must return when the body had to be read, nothing when it was sent at once.
 * `byContentType`: the route declares its 200 schema per content type.
 */
export function sendStoreBody(
  reads: ReadCache,
  reply: FastifyReply,
  key: string,
  build: () => Promise<{ [key: string]: unknown }>,
  { byContentType = false }: { byContentType?: boolean } = {},
): Promise<void> | undefined {
  const serialize = (payload: { [key: string]: unknown }) =>
    (byContentType
      ? reply.serializeInput(payload, '200', 'application/json')
      : reply.serializeInput(payload, '200')) as string;
  const body = reads.readNow(`body:${key}`, async () => ({ json: serialize(await build()) }), {
    weight: (kept) => Math.ceil(kept.json.length / 1024),
    after: reply.request.readsAfter,
  });
  const send = (kept: { json: string }) => {
    reply.type('application/json; charset=utf-8').send(kept.json);
  };
  if (body instanceof Promise) return body.then(send);
  // A kept body is sent at once; the handler returns nothing (Fastify's synchronous handler contract).
  send(body);
  return undefined;
}

const EMPTY_RESULT = '"result":[]';
const COMMA = Buffer.from(',');
const keptPageBodies = new WeakMap<object, { itemsJson: Buffer[]; body: Buffer }>();

/**
 * Answers a page whose items are JSON (UTF-8) already, each serialized by the item schema: the
 * envelope is serialized by the route's schema around an empty result and the items are joined into
 * it, which is byte-for-byte what serializing the whole page gives (test: tokens.test.ts). The body
 * is kept with `keptWith` (an object that lives while the page's counts hold) and reused while every
 * item is the same.
 */
export function sendJsonPage(
  reply: FastifyReply,
  itemsJson: Buffer[],
  request: PageRequest,
  totalCount: number,
  keptWith: object,
): FastifyReply {
  const kept = keptPageBodies.get(keptWith);
  const reusable =
    kept !== undefined &&
    kept.itemsJson.length === itemsJson.length &&
    kept.itemsJson.every((item, index) => item === itemsJson[index]);
  let body = reusable ? kept.body : undefined;
  if (body === undefined) {
    const envelope = paged([], request, totalCount);
    envelope.result_info.count = itemsJson.length;
    const shell = reply.serializeInput(envelope, '200') as string;
    const at = shell.indexOf(EMPTY_RESULT) + EMPTY_RESULT.length - 1;
    const parts: Buffer[] = [Buffer.from(shell.slice(0, at))];
    for (const [index, item] of itemsJson.entries()) {
      if (index > 0) parts.push(COMMA);
      parts.push(item);
    }
    parts.push(Buffer.from(shell.slice(at)));
    body = Buffer.concat(parts);
    keptPageBodies.set(keptWith, { itemsJson, body });
  }
  return reply.type('application/json; charset=utf-8').send(body);
}
