import { type TSchema, Type } from '@sinclair/typebox';

/** A Cloudflare message or error item (REFERENCE §1.1). `error_chain` nests causes (REFERENCE §3.2). */
export const ErrorItemSchema = Type.Object({
  code: Type.Integer({ minimum: 1000 }),
  message: Type.String(),
  documentation_url: Type.Optional(Type.String()),
  source: Type.Optional(Type.Object({ pointer: Type.String() })),
  error_chain: Type.Optional(
    Type.Array(Type.Object({ code: Type.Integer({ minimum: 1000 }), message: Type.String() })),
  ),
});

/** Message items carry `type: null` on the real API (REFERENCE §1.1, the verify example). */
export const MessageItemSchema = Type.Object({
  code: Type.Integer({ minimum: 1000 }),
  message: Type.String(),
  type: Type.Optional(Type.Null()),
});

export const ResultInfoSchema = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  count: Type.Integer(),
  total_count: Type.Integer(),
  total_pages: Type.Integer(),
});

/** `{success:true, errors:[], messages:[], result}`: every success answer but the two bare DELETE bodies. */
export const EnvelopeSchema = <T extends TSchema>(result: T) =>
  Type.Object({
    success: Type.Literal(true),
    errors: Type.Array(ErrorItemSchema),
    messages: Type.Array(MessageItemSchema),
    result,
  });

/** A page-numbered list: `result_info` tells wrangler when to stop (CLIENTS §5). */
export const PagedEnvelopeSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    success: Type.Literal(true),
    errors: Type.Array(ErrorItemSchema),
    messages: Type.Array(MessageItemSchema),
    result: Type.Array(item),
    result_info: ResultInfoSchema,
  });

export const FailureEnvelopeSchema = Type.Object({
  success: Type.Literal(false),
  errors: Type.Array(ErrorItemSchema, { minItems: 1 }),
  messages: Type.Array(MessageItemSchema),
  result: Type.Null(),
});

/** `page` of a page-numbered list: 1 or more (REFERENCE §8.2); capped so an offset stays a safe integer. */
export const PageSchema = Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 });

/** Every identifier is 32 lowercase hex characters (DESIGN, "Data"). */
export const IdentifierSchema = Type.String({ pattern: '^[0-9a-f]{32}$', minLength: 32, maxLength: 32 });

/** RFC 3339 date-time, e.g. `2030-01-01T00:00:00Z`. */
export const DateTimeSchema = Type.String({ format: 'date-time' });

export const DirectionSchema = Type.Union([Type.Literal('asc'), Type.Literal('desc')]);

export const IdResultSchema = Type.Object({ id: IdentifierSchema });
