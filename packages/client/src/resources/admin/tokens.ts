import type { LeakedToken } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { LeakedToken };

/** `/__userflare/tokens`: what happens to tokens outside the API. */
export class AdminTokens extends APIResource {
  /**
   * Simulates a token found in public (`POST /__userflare/tokens/{token_id}/leak`): the token is
   * disabled at once, so requests with it are refused, and the answer says when it was exposed.
   *
   * @example
   * ```ts
   * const { status, exposed_on } = await admin.tokens.leak('ed17574386854bf78a67040be0a770b0');
   * ```
   */
  async leak(tokenId: string, options?: RequestOptions): Promise<LeakedToken> {
    return unwrap(this._client.request({ method: 'post', path: path`/tokens/${tokenId}/leak`, ...options }));
  }
}
