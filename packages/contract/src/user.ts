import { type Static, Type } from '@sinclair/typebox';
import { IdentifierSchema } from './envelope.js';

export const OrganizationStatusSchema = Type.Union([Type.Literal('member'), Type.Literal('invited')]);

/** An organization as `GET /user` and `/user/organizations` show it (REFERENCE §7.2). */
export const OrganizationSchema = Type.Object({
  id: IdentifierSchema,
  name: Type.String({ maxLength: 100 }),
  permissions: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  status: OrganizationStatusSchema,
});
export type Organization = Static<typeof OrganizationSchema>;

const nullableString = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

/** The user object of `GET /user` and `PATCH /user` (REFERENCE §2.1). */
export const UserSchema = Type.Object({
  id: IdentifierSchema,
  email: Type.String({ maxLength: 90 }),
  betas: Type.Array(Type.String()),
  country: nullableString(30),
  first_name: nullableString(60),
  last_name: nullableString(60),
  telephone: nullableString(20),
  zipcode: nullableString(20),
  has_business_zones: Type.Boolean(),
  has_enterprise_zones: Type.Boolean(),
  has_pro_zones: Type.Boolean(),
  organizations: Type.Array(OrganizationSchema),
  suspended: Type.Boolean(),
  two_factor_authentication_enabled: Type.Boolean(),
  two_factor_authentication_locked: Type.Boolean(),
});
export type User = Static<typeof UserSchema>;

/** `PATCH /user`: a partial update, each field a string within its limit or null (REFERENCE §2.2). */
export const EditUserSchema = Type.Object({
  country: Type.Optional(nullableString(30)),
  first_name: Type.Optional(nullableString(60)),
  last_name: Type.Optional(nullableString(60)),
  telephone: Type.Optional(nullableString(20)),
  zipcode: Type.Optional(nullableString(20)),
});
export type EditUser = Static<typeof EditUserSchema>;
