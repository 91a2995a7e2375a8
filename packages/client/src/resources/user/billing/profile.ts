import type { BillingProfile } from '@userflare/contract';
import type { RequestOptions } from '../../../core/client.js';
import { APIResource } from '../../../core/resource.js';
import { unwrap } from '../../../internal/unwrap.js';

/** The billing profile: address, card summary, balance and the like. */
export type ProfileGetResponse = BillingProfile;

/** `/user/billing/profile`. Deprecated by Cloudflare, kept for compatibility. */
export class Profile extends APIResource {
  /**
   * Reads the user's billing profile (`GET /user/billing/profile`).
   *
   * @deprecated Deprecated in the Cloudflare API; still served.
   * @example
   * ```ts
   * const profile = await client.user.billing.profile.get();
   * console.log(profile.company, profile.balance);
   * ```
   */
  get(options?: RequestOptions): Promise<ProfileGetResponse> {
    return unwrap(this._client.request({ method: 'get', path: '/user/billing/profile', ...options }));
  }
}
