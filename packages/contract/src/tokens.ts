import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, DirectionSchema, IdentifierSchema, PageSchema } from './envelope.js';

export const TokenStatusSchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('disabled'),
  Type.Literal('expired'),
]);
export type TokenStatus = Static<typeof TokenStatusSchema>;

export const PolicyEffectSchema = Type.Union([Type.Literal('allow'), Type.Literal('deny')]);

/** Free-form attributes of a permission group inside a policy (REFERENCE §4.2). */
export const PermissionGroupMetaSchema = Type.Record(Type.String(), Type.String());

/**
 * Resources a policy applies to: `{"com.cloudflare.api.user.<id>": "*"}`, or nested
 * `{"com.cloudflare.api.account.<id>": {"com.cloudflare.api.account.zone.*": "*"}}` (REFERENCE §4.3).
 */
export const PolicyResourcesSchema = Type.Record(
  Type.String({ minLength: 1, maxLength: 255 }),
  Type.Union([Type.String(), Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String())]),
  { minProperties: 1 },
);
export type PolicyResources = Static<typeof PolicyResourcesSchema>;

export const CidrListSchema = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 });

const RequestIpSchema = Type.Object(
  { in: Type.Optional(CidrListSchema), not_in: Type.Optional(CidrListSchema) },
  { additionalProperties: false },
);

/**
 * `condition.request_ip.in` / `not_in`: IPv4 and IPv6 CIDR lists (REFERENCE §4.5). The older docs'
 * `"request.ip"` spelling is accepted too. Unknown keys are refused: a typo must not widen a token.
 */
export const TokenConditionSchema = Type.Object(
  { request_ip: Type.Optional(RequestIpSchema), 'request.ip': Type.Optional(RequestIpSchema) },
  { additionalProperties: false },
);
export type TokenCondition = Static<typeof TokenConditionSchema>;

export const TokenPolicyInputSchema = Type.Object({
  effect: PolicyEffectSchema,
  permission_groups: Type.Array(
    Type.Object({
      id: Type.String({ maxLength: 32 }),
      meta: Type.Optional(PermissionGroupMetaSchema),
      name: Type.Optional(Type.String()),
    }),
    { minItems: 1, maxItems: 500 },
  ),
  resources: PolicyResourcesSchema,
});
export type TokenPolicyInput = Static<typeof TokenPolicyInputSchema>;

/** A policy as the server returns it: its `id` generated, permission group names filled in. */
export const TokenPolicySchema = Type.Object({
  id: IdentifierSchema,
  effect: PolicyEffectSchema,
  permission_groups: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      meta: Type.Optional(PermissionGroupMetaSchema),
    }),
  ),
  resources: PolicyResourcesSchema,
});
export type TokenPolicy = Static<typeof TokenPolicySchema>;

export const TokenNameSchema = Type.String({
  minLength: 1,
  maxLength: 120,
  pattern: '\\S',
  errorMessage: 'must not be blank',
});

/** `POST /user/tokens` (REFERENCE §2.17). */
export const CreateTokenSchema = Type.Object({
  name: TokenNameSchema,
  policies: Type.Array(TokenPolicyInputSchema, { minItems: 1, maxItems: 100 }),
  condition: Type.Optional(TokenConditionSchema),
  expires_on: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
  not_before: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
});
export type CreateToken = Static<typeof CreateTokenSchema>;

/** `PUT /user/tokens/{id}`: a whole replacement; read-only fields sent back are ignored (REFERENCE §2.18). */
export const UpdateTokenSchema = Type.Object({
  name: TokenNameSchema,
  policies: Type.Array(TokenPolicyInputSchema, { minItems: 1, maxItems: 100 }),
  condition: Type.Optional(TokenConditionSchema),
  expires_on: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
  not_before: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
  status: Type.Optional(TokenStatusSchema),
});
export type UpdateToken = Static<typeof UpdateTokenSchema>;

export const TokenSchema = Type.Object({
  id: IdentifierSchema,
  name: Type.String(),
  status: TokenStatusSchema,
  issued_on: DateTimeSchema,
  modified_on: DateTimeSchema,
  last_used_on: Type.Optional(DateTimeSchema),
  not_before: Type.Optional(DateTimeSchema),
  expires_on: Type.Optional(DateTimeSchema),
  policies: Type.Array(TokenPolicySchema),
  condition: TokenConditionSchema,
});
export type Token = Static<typeof TokenSchema>;

/** The create result: the only answer that carries the secret `value` (REFERENCE §4.8). */
export const TokenWithValueSchema = Type.Composite([
  TokenSchema,
  Type.Object({ value: Type.String({ minLength: 40, maxLength: 80 }) }),
]);
export type TokenWithValue = Static<typeof TokenWithValueSchema>;

/** `GET /user/tokens/verify`: `not_before`/`expires_on` absent when unset (REFERENCE §3.3). */
export const VerifiedTokenSchema = Type.Object({
  id: IdentifierSchema,
  status: TokenStatusSchema,
  not_before: Type.Optional(DateTimeSchema),
  expires_on: Type.Optional(DateTimeSchema),
});
export type VerifiedToken = Static<typeof VerifiedTokenSchema>;

export const TokenIdParamsSchema = Type.Object({ token_id: IdentifierSchema });

/** `GET /user/tokens` (REFERENCE §2.15): per_page 5–50, default 20. */
export const ListTokensQuerySchema = Type.Object({
  page: Type.Optional(PageSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 5, maximum: 50, default: 20 })),
  direction: Type.Optional(DirectionSchema),
  include_expired: Type.Optional(Type.Boolean({ default: false })),
});
export type ListTokensQuery = Static<typeof ListTokensQuerySchema>;

/** The roll endpoint takes no body, `{}` or anything else (REFERENCE §2.22, CLIENTS §1.10). */
export const RollTokenBodySchema = Type.Unknown();
