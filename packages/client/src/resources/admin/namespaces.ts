import type { CreateNamespace, Namespace } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { CreateNamespace, Namespace };
/** `{id}` of the deleted namespace. */
export interface NamespaceDeleteResponse {
  id: string;
}

/**
 * `/__userflare/namespaces`: stores of their own on one server, each with its own bootstrap user,
 * clock, snapshots, journal and faults, served under `/ns/<id>` — one per test file, run in parallel.
 */
export class AdminNamespaces extends APIResource {
  /**
   * Lists the namespaces, without their secrets (`GET /__userflare/namespaces`).
   *
   * @example
   * ```ts
   * const ids = (await admin.namespaces.list()).map((namespace) => namespace.id);
   * ```
   */
  list(options?: RequestOptions): Promise<Namespace[]> {
    return unwrap(this._client.request({ method: 'get', path: '/namespaces', ...options }));
  }

  /**
   * Creates a namespace (`POST /__userflare/namespaces`); `id` is generated and the bootstrap user is
   * admin@example.com unless given. The answer's `token` and `api_key` are shown only this once.
   *
   * @example
   * ```ts
   * const ns = await admin.namespaces.create({ id: 'billing-tests' });
   * const client = new Userflare({ baseURL: ns.base_url, apiToken: ns.token });
   * ```
   */
  create(body: CreateNamespace = {}, options?: RequestOptions): Promise<Namespace> {
    return unwrap(this._client.request({ method: 'post', path: '/namespaces', body, ...options }));
  }

  /**
   * Deletes a namespace and everything in it (`DELETE /__userflare/namespaces/{id}`). Rejects with
   * `NotFoundError` for an unknown id.
   *
   * @example
   * ```ts
   * afterAll(() => admin.namespaces.delete('billing-tests'));
   * ```
   */
  async delete(namespaceId: string, options?: RequestOptions): Promise<NamespaceDeleteResponse> {
    return unwrap(
      this._client.request({ method: 'delete', path: path`/namespaces/${namespaceId}`, ...options }),
    );
  }
}
