import type { Enforcement, EnforcementMode } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Enforcement, EnforcementMode };

/**
 * `/__userflare/enforcement`: `enforce` refuses what Cloudflare would refuse; `report` lets a request
 * that would be refused through and records why (the `userflare-denial` header and the journal).
 */
export class AdminEnforcement extends APIResource {
  /**
   * Reads the mode (`GET /__userflare/enforcement`).
   *
   * @example
   * ```ts
   * const { mode } = await admin.enforcement.get(); // 'enforce'
   * ```
   */
  get(options?: RequestOptions): Promise<Enforcement> {
    return unwrap(this._client.request({ method: 'get', path: '/enforcement', ...options }));
  }

  /**
   * Sets the mode (`PUT /__userflare/enforcement`).
   *
   * @example
   * ```ts
   * await admin.enforcement.set('report');
   * ```
   */
  set(mode: EnforcementMode, options?: RequestOptions): Promise<Enforcement> {
    return unwrap(this._client.request({ method: 'put', path: '/enforcement', body: { mode }, ...options }));
  }
}
