import { type Static, Type } from '@sinclair/typebox';
import { DateTimeSchema, IdentifierSchema, PageSchema } from './envelope.js';

/** An account as `GET /accounts` lists it; wrangler reads `id` and `name` (CLIENTS §9). */
export const AccountSchema = Type.Object({
  id: IdentifierSchema,
  name: Type.String(),
  type: Type.String(),
  settings: Type.Object({ enforce_twofactor: Type.Boolean() }),
  created_on: DateTimeSchema,
});
export type Account = Static<typeof AccountSchema>;

/** A membership as `GET /memberships` lists it; wrangler reads `account` and `roles` (CLIENTS §9). */
export const MembershipSchema = Type.Object({
  id: IdentifierSchema,
  account: Type.Object({ id: IdentifierSchema, name: Type.String() }),
  permissions: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('pending'), Type.Literal('rejected')]),
});
export type Membership = Static<typeof MembershipSchema>;

/** wrangler sends only `?page=N` (CLIENTS §5). */
export const ListAccountsQuerySchema = Type.Object({
  page: Type.Optional(PageSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 5, maximum: 50, default: 20 })),
});
export type ListAccountsQuery = Static<typeof ListAccountsQuerySchema>;
