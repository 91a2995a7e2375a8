import type {
  DeleteSubscriptionResultSchema,
  Static,
  Subscription,
  UpdateSubscription,
} from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { type PagePromise, SinglePage } from '../../core/pagination.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Subscription };
/** Body of `subscriptions.update`: `frequency` and/or `rate_plan` (only its `id` chooses the plan). */
export type SubscriptionUpdateParams = UpdateSubscription;
/** The updated subscription. (The official SDK types this `unknown | string | null`.) */
export type SubscriptionUpdateResponse = Subscription;
/** The bare `{subscription_id}` body of a deletion: no envelope. */
export type SubscriptionDeleteResponse = Static<typeof DeleteSubscriptionResultSchema>;

/** `/user/subscriptions`: the user's zone plan subscriptions. */
export class Subscriptions extends APIResource {
  /**
   * Lists the user's subscriptions, all in one page (`GET /user/subscriptions`).
   *
   * @example
   * ```ts
   * const { result } = await client.user.subscriptions.get();
   * console.log(result.map((s) => `${s.rate_plan.public_name} ${s.frequency}`));
   * ```
   */
  get(options?: RequestOptions): PagePromise<SinglePage<Subscription>, Subscription> {
    return this._client.getAPIList(SinglePage<Subscription>, {
      method: 'get',
      path: '/user/subscriptions',
      ...options,
    });
  }

  /**
   * Changes a subscription's plan or billing frequency (`PUT /user/subscriptions/{identifier}`).
   *
   * @example
   * ```ts
   * await client.user.subscriptions.update('506e3185e9c882d175a2d0cb0093d9f2', { frequency: 'yearly' });
   * ```
   */
  async update(
    identifier: string,
    body: SubscriptionUpdateParams,
    options?: RequestOptions,
  ): Promise<SubscriptionUpdateResponse> {
    return unwrap(
      this._client.request({
        method: 'put',
        path: path`/user/subscriptions/${identifier}`,
        body,
        ...options,
      }),
    );
  }

  /**
   * Cancels a subscription (`DELETE /user/subscriptions/{identifier}`). Resolves with the bare
   * response body `{subscription_id}`, not an unwrapped `result` (CLIENTS §1.9).
   *
   * @example
   * ```ts
   * const { subscription_id } = await client.user.subscriptions.delete('506e3185e9c882d175a2d0cb0093d9f2');
   * ```
   */
  async delete(identifier: string, options?: RequestOptions): Promise<SubscriptionDeleteResponse> {
    return this._client.request({
      method: 'delete',
      path: path`/user/subscriptions/${identifier}`,
      ...options,
    });
  }
}
