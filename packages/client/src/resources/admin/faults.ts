import type { CreateFault, Fault } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { CreateFault, Fault };
/** `{id}` of the deleted fault. */
export interface FaultDeleteResponse {
  id: string;
}
/** How many faults were removed. */
export interface FaultClearResponse {
  cleared: number;
}

/**
 * `/__userflare/faults`: answers the server gives instead of (or before) calling a route — a 429, a
 * 5xx, a delay — to test a client's retries and timeouts.
 */
export class AdminFaults extends APIResource {
  /**
   * Lists the active faults with how often each has fired (`GET /__userflare/faults`).
   *
   * @example
   * ```ts
   * const [fault] = await admin.faults.list();
   * ```
   */
  list(options?: RequestOptions): Promise<Fault[]> {
    return unwrap(this._client.request({ method: 'get', path: '/faults', ...options }));
  }

  /**
   * Adds a fault (`POST /__userflare/faults`). `path` matches the API path with or without
   * `/client/v4` (`*` matches any run of characters); without `status` it only delays; `times` retires
   * it after that many hits; `probability` fires it on that share of matching requests.
   *
   * @example
   * ```ts
   * await admin.faults.add({ method: 'GET', path: '/user/tokens', status: 429, retry_after: 2, times: 1 });
   * ```
   */
  add(rule: CreateFault, options?: RequestOptions): Promise<Fault> {
    return unwrap(this._client.request({ method: 'post', path: '/faults', body: rule, ...options }));
  }

  /**
   * Removes every fault (`DELETE /__userflare/faults`).
   *
   * @example
   * ```ts
   * afterEach(() => admin.faults.clear());
   * ```
   */
  clear(options?: RequestOptions): Promise<FaultClearResponse> {
    return unwrap(this._client.request({ method: 'delete', path: '/faults', ...options }));
  }

  /**
   * Removes one fault (`DELETE /__userflare/faults/{id}`). Rejects with `NotFoundError` for an
   * unknown id.
   *
   * @example
   * ```ts
   * const fault = await admin.faults.add({ path: '/user', delay_ms: 2_000 });
   * await admin.faults.delete(fault.id);
   * ```
   */
  async delete(faultId: string, options?: RequestOptions): Promise<FaultDeleteResponse> {
    return unwrap(this._client.request({ method: 'delete', path: path`/faults/${faultId}`, ...options }));
  }
}
