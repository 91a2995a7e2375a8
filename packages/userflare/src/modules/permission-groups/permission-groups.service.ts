import type { ListPermissionGroupsQuery, PermissionGroup } from '@userflare/contract';
import { PERMISSION_GROUP_CATALOGUE } from './permission-groups.catalogue.js';

const byId = new Map(PERMISSION_GROUP_CATALOGUE.map((group) => [group.id, group]));

export function findPermissionGroup(id: string): PermissionGroup | undefined {
  return byId.get(id);
}

/** Exact-match `name` and `scope` filters: names repeat across scopes (REFERENCE §5.3). */
export function listPermissionGroups(query: ListPermissionGroupsQuery): PermissionGroup[] {
  return PERMISSION_GROUP_CATALOGUE.filter(
    (group) =>
      (query.name === undefined || group.name === query.name) &&
      (query.scope === undefined || group.scopes.includes(query.scope as never)),
  );
}

/** Catalogue ids of the groups named in REFERENCE §5.1–5.2 that the User API's routes require. */
export const PermissionGroupId = {
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  apiTokensWrite: '686d18d5ac6c441c867cbf6771e58a0a',
  membershipsRead: '3518d0f75557482e952c6762d3e64903',
  membershipsWrite: '9201bc6f42d440968aaab0c6f17ebb1d',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  userDetailsWrite: '55a5e17cc99e4a3fa1f3432d262f2e55',
  accountSettingsRead: 'c1fde68c7bcc44588cbb6ddbc16d6480',
  accountSettingsWrite: '1af1fa2adc104452b74a9a3364202f20',
  billingRead: '7cf72faf220841aabcfdfab81c43c4f6',
  billingWrite: '6c80e02421494afc9ae14414ed442632',
} as const;

/** The groups of one scope, for the bootstrap token's policies (DESIGN, "Operating contract"). */
export function permissionGroupIdsOfScope(scope: PermissionGroup['scopes'][number]): string[] {
  return PERMISSION_GROUP_CATALOGUE.filter((group) => group.scopes.includes(scope)).map((group) => group.id);
}
