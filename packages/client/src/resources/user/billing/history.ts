import type { BillingHistory, ListBillingHistoryQuery } from '@userflare/contract';
import type { RequestOptions } from '../../../core/client.js';
import { type PagePromise, V4PagePaginationArray } from '../../../core/pagination.js';
import { APIResource } from '../../../core/resource.js';

export type { BillingHistory };
/** Query of `history.list`: `action`, `occurred_at`, `order`, `type`, `page`, `per_page` (5–50). */
export type HistoryListParams = ListBillingHistoryQuery;

/** `/user/billing/history`: charges and credits. Deprecated by Cloudflare, kept for compatibility. */
export class History extends APIResource {
  /**
   * Lists billing history items, page by page (`GET /user/billing/history`).
   *
   * @deprecated Deprecated in the Cloudflare API; still served.
   * @example
   * ```ts
   * for await (const item of client.user.billing.history.list({ type: 'charge' })) console.log(item.amount);
   * ```
   */
  list(
    query: HistoryListParams = {},
    options?: RequestOptions,
  ): PagePromise<V4PagePaginationArray<BillingHistory>, BillingHistory> {
    return this._client.getAPIList(V4PagePaginationArray<BillingHistory>, {
      method: 'get',
      path: '/user/billing/history',
      query,
      ...options,
    });
  }
}
