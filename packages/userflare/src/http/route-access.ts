import { PermissionGroupId as G } from '../modules/permission-groups/permission-groups.service.js';

/** What a route needs from the caller's token policies: one of `groups` on the route's resource. */
export interface RequiredPermission {
  /** `user`: the caller's own user resource; `account`: `account.*` or an account the user belongs to. */
  scope: 'user' | 'account';
  groups: readonly string[];
}

export type RouteAccess =
  /** `GET /user/tokens/verify`: Bearer only, no permission group (REFERENCE §2.20). */
  | { kind: 'verify' }
  /** Any valid credential; what it may see is filtered by the service (e.g. `/accounts`). */
  | { kind: 'authenticated' }
  | { kind: 'permission'; permission: RequiredPermission };

const permission = (scope: RequiredPermission['scope'], ...groups: string[]): RouteAccess => ({
  kind: 'permission',
  permission: { scope, groups },
});

/** The permission groups of each route, from REFERENCE §2. */
export const access = {
  verify: { kind: 'verify' } as RouteAccess,
  authenticated: { kind: 'authenticated' } as RouteAccess,
  userDetailsRead: permission('user', G.userDetailsRead, G.userDetailsWrite),
  userDetailsWrite: permission('user', G.userDetailsWrite),
  apiTokensRead: permission('user', G.apiTokensRead, G.apiTokensWrite),
  apiTokensWrite: permission('user', G.apiTokensWrite),
  membershipsRead: permission('user', G.membershipsRead, G.membershipsWrite),
  membershipsWrite: permission('user', G.membershipsWrite),
  accountSettingsRead: permission('account', G.accountSettingsRead, G.accountSettingsWrite),
  billingRead: permission('account', G.billingRead, G.billingWrite),
  billingWrite: permission('account', G.billingWrite),
} as const;
