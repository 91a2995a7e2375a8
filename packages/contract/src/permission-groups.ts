import { type Static, Type } from '@sinclair/typebox';

export const PermissionGroupScopeSchema = Type.Union([
  Type.Literal('com.cloudflare.api.account'),
  Type.Literal('com.cloudflare.api.account.zone'),
  Type.Literal('com.cloudflare.api.user'),
  Type.Literal('com.cloudflare.edge.r2.bucket'),
]);
export type PermissionGroupScope = Static<typeof PermissionGroupScopeSchema>;

/** One entry of the permission group catalogue (REFERENCE §2.21, §5). */
export const PermissionGroupSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(PermissionGroupScopeSchema),
});
export type PermissionGroup = Static<typeof PermissionGroupSchema>;

/** `GET /user/tokens/permission_groups?name=&scope=`: exact-match filters (REFERENCE §2.21). */
export const ListPermissionGroupsQuerySchema = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  scope: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ListPermissionGroupsQuery = Static<typeof ListPermissionGroupsQuerySchema>;
