import type { JournalEntry, JournalQuery } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { unwrap } from '../../internal/unwrap.js';

export type { JournalEntry, JournalQuery };
/** How many entries were dropped. */
export interface JournalClearResponse {
  cleared: number;
}

/** `/__userflare/journal`: the API requests the server answered, to assert on what your code sent. */
export class AdminJournal extends APIResource {
  /**
   * Lists recorded requests, newest first (`GET /__userflare/journal`), filtered by `method`, `path`
   * (`*` matches any run of characters), `status` and `token_id`, at most `limit`.
   *
   * @example
   * ```ts
   * const denied = await admin.journal.list({ status: 403, path: '/client/v4/user/tokens*' });
   * console.log(denied[0]?.denial?.reason);
   * ```
   */
  list(query: JournalQuery = {}, options?: RequestOptions): Promise<JournalEntry[]> {
    return unwrap(this._client.request({ method: 'get', path: '/journal', query, ...options }));
  }

  /**
   * Empties the journal (`DELETE /__userflare/journal`).
   *
   * @example
   * ```ts
   * beforeEach(() => admin.journal.clear());
   * ```
   */
  clear(options?: RequestOptions): Promise<JournalClearResponse> {
    return unwrap(this._client.request({ method: 'delete', path: '/journal', ...options }));
  }
}
