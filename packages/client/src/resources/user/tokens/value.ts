import type { RequestOptions } from '../../../core/client.js';
import { APIResource } from '../../../core/resource.js';
import { path } from '../../../internal/path.js';
import { unwrap } from '../../../internal/unwrap.js';

/** A token's secret value. */
export type TokenValue = string;

/** Body of `value.update`: accepted for the official SDK's signature, never sent (CLIENTS §1.10). */
export interface ValueUpdateParams {
  body?: unknown;
}

/** `/user/tokens/{token_id}/value`: the secret of a token. */
export class Value extends APIResource {
  /**
   * Rolls a token: a new secret replaces the old one, which stops working at once
   * (`PUT /user/tokens/{token_id}/value`). Sends no body. Resolves with the new secret.
   *
   * @example
   * ```ts
   * const secret = await client.user.tokens.value.update('ed17574386854bf78a67040be0a770b0');
   * ```
   */
  async update(tokenId: string, _params?: ValueUpdateParams, options?: RequestOptions): Promise<TokenValue> {
    return unwrap(
      this._client.request({ method: 'put', path: path`/user/tokens/${tokenId}/value`, ...options }),
    );
  }
}
