import type {
  LeaveOrganizationResultSchema,
  ListOrganizationsQuery,
  Organization,
  Static,
} from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { type PagePromise, V4PagePaginationArray } from '../../core/pagination.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Organization };
/** Query of `organizations.list`: `name`, `match`, `status`, `order`, `direction`, `page`, `per_page`. */
export type OrganizationListParams = ListOrganizationsQuery;
/** The organization. (The official SDK types this `unknown`; the server answers an `Organization`.) */
export type OrganizationGetResponse = Organization;
/** The bare `{id}` body of leaving an organization: no envelope. */
export type OrganizationDeleteResponse = Static<typeof LeaveOrganizationResultSchema>;

/** `/user/organizations`: the organizations the user belongs to. Deprecated by Cloudflare. */
export class Organizations extends APIResource {
  /**
   * Lists the user's organizations, page by page (`GET /user/organizations`).
   *
   * @deprecated Deprecated in the Cloudflare API; still served.
   * @example
   * ```ts
   * for await (const org of client.user.organizations.list({ status: 'member' })) console.log(org.name);
   * ```
   */
  list(
    query: OrganizationListParams = {},
    options?: RequestOptions,
  ): PagePromise<V4PagePaginationArray<Organization>, Organization> {
    return this._client.getAPIList(V4PagePaginationArray<Organization>, {
      method: 'get',
      path: '/user/organizations',
      query,
      ...options,
    });
  }

  /**
   * Reads one of the user's organizations (`GET /user/organizations/{organization_id}`).
   *
   * @deprecated Deprecated in the Cloudflare API; still served.
   * @example
   * ```ts
   * const org = await client.user.organizations.get('023e105f4ecef8ad9ca31a8372d0c353');
   * ```
   */
  async get(organizationId: string, options?: RequestOptions): Promise<OrganizationGetResponse> {
    return unwrap(
      this._client.request({ method: 'get', path: path`/user/organizations/${organizationId}`, ...options }),
    );
  }

  /**
   * Leaves an organization (`DELETE /user/organizations/{organization_id}`). Resolves with the bare
   * response body `{id}`, not an unwrapped `result` (CLIENTS §1.9).
   *
   * @deprecated Deprecated in the Cloudflare API; still served.
   * @example
   * ```ts
   * const { id } = await client.user.organizations.delete('023e105f4ecef8ad9ca31a8372d0c353');
   * ```
   */
  async delete(organizationId: string, options?: RequestOptions): Promise<OrganizationDeleteResponse> {
    return this._client.request({
      method: 'delete',
      path: path`/user/organizations/${organizationId}`,
      ...options,
    });
  }
}
