import { type Static, Type } from '@sinclair/typebox';
import { DirectionSchema, IdentifierSchema, PageSchema } from './envelope.js';
import { OrganizationStatusSchema } from './user.js';

/** `GET /user/organizations` (REFERENCE §2.9): per_page 5–50, default 20. */
export const ListOrganizationsQuerySchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(PageSchema),
  per_page: Type.Optional(Type.Integer({ minimum: 5, maximum: 50, default: 20 })),
  order: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('name'), Type.Literal('status')])),
  direction: Type.Optional(DirectionSchema),
  match: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all')])),
  status: Type.Optional(OrganizationStatusSchema),
});
export type ListOrganizationsQuery = Static<typeof ListOrganizationsQuerySchema>;

export const OrganizationIdParamsSchema = Type.Object({ organization_id: IdentifierSchema });

/** The bare body of `DELETE /user/organizations/{id}`: no envelope (REFERENCE §2.11). */
export const LeaveOrganizationResultSchema = Type.Object({ id: IdentifierSchema });
