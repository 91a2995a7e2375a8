import type { ListPermissionGroupsQuery, PermissionGroup } from '@userflare/contract';
import type { RequestOptions } from '../../../core/client.js';
import { type PagePromise, SinglePage } from '../../../core/pagination.js';
import { APIResource } from '../../../core/resource.js';

/** Query of `permissionGroups.list`: exact-match `name` and `scope` filters. */
export type PermissionGroupListParams = ListPermissionGroupsQuery;
/** One permission group: `{id, name, scopes}`. */
export type PermissionGroupListResponse = PermissionGroup;

/** `/user/tokens/permission_groups`: the catalogue of permission groups a token policy may grant. */
export class PermissionGroups extends APIResource {
  /**
   * Lists the permission groups, all in one page (`GET /user/tokens/permission_groups`).
   *
   * @example
   * ```ts
   * const page = await client.user.tokens.permissionGroups.list({ scope: 'com.cloudflare.api.user' });
   * const read = page.result.find((group) => group.name === 'User Details Read');
   * ```
   */
  list(
    query: PermissionGroupListParams = {},
    options?: RequestOptions,
  ): PagePromise<SinglePage<PermissionGroupListResponse>, PermissionGroupListResponse> {
    return this._client.getAPIList(SinglePage<PermissionGroupListResponse>, {
      method: 'get',
      path: '/user/tokens/permission_groups',
      query,
      ...options,
    });
  }
}
