import type {
  CreateToken,
  IdResultSchema,
  ListTokensQuery,
  Static,
  Token,
  TokenWithValue,
  UpdateToken,
  VerifiedToken,
} from '@userflare/contract';
import type { RequestOptions } from '../../../core/client.js';
import { type PagePromise, V4PagePaginationArray } from '../../../core/pagination.js';
import { APIResource } from '../../../core/resource.js';
import { path } from '../../../internal/path.js';
import { unwrap } from '../../../internal/unwrap.js';
import { PermissionGroups } from './permission-groups.js';
import { Value } from './value.js';

export type { Token };
/** Query of `tokens.list`: `page`, `per_page` (5–50), `direction`, `include_expired`. */
export type TokenListParams = ListTokensQuery;
/** Body of `tokens.create`: `name`, `policies`, and optionally `condition`, `expires_on`, `not_before`. */
export type TokenCreateParams = CreateToken;
/** A created token: the token plus its secret `value`, shown only this once. */
export type TokenCreateResponse = TokenWithValue;
/** Body of `tokens.update`: the whole token (`name` and `policies` required), optionally `status`. */
export type TokenUpdateParams = UpdateToken;
/** `{id}` of the deleted token. */
export type TokenDeleteResponse = Static<typeof IdResultSchema>;
/** `{id, status, expires_on?, not_before?}` of the token making the request. */
export type TokenVerifyResponse = VerifiedToken;

/** `/user/tokens`: the caller's API tokens. */
export class Tokens extends APIResource {
  /** `/user/tokens/permission_groups`: the permission groups a policy may grant. */
  readonly permissionGroups: PermissionGroups = new PermissionGroups(this._client);
  /** `/user/tokens/{id}/value`: rolling a token's secret. */
  readonly value: Value = new Value(this._client);

  /**
   * Lists the caller's tokens, page by page (`GET /user/tokens`).
   *
   * @example
   * ```ts
   * for await (const token of client.user.tokens.list({ per_page: 50 })) console.log(token.name);
   * const page = await client.user.tokens.list({ direction: 'desc' });
   * ```
   */
  list(
    query: TokenListParams = {},
    options?: RequestOptions,
  ): PagePromise<V4PagePaginationArray<Token>, Token> {
    return this._client.getAPIList(V4PagePaginationArray<Token>, {
      method: 'get',
      path: '/user/tokens',
      query,
      ...options,
    });
  }

  /**
   * Reads one token, without its secret (`GET /user/tokens/{token_id}`).
   *
   * @example
   * ```ts
   * const token = await client.user.tokens.get('ed17574386854bf78a67040be0a770b0');
   * ```
   */
  async get(tokenId: string, options?: RequestOptions): Promise<Token> {
    return unwrap(this._client.request({ method: 'get', path: path`/user/tokens/${tokenId}`, ...options }));
  }

  /**
   * Creates a token (`POST /user/tokens`). The response's `value` is the secret: store it now, it is
   * never shown again.
   *
   * @example
   * ```ts
   * const token = await client.user.tokens.create({
   *   name: 'ci reader',
   *   policies: [{
   *     effect: 'allow',
   *     permission_groups: [{ id: '8acbe5bb0d54464ab867149d7f7cf8ac' }],
   *     resources: { 'com.cloudflare.api.user.*': '*' },
   *   }],
   * });
   * console.log(token.value);
   * ```
   */
  create(body: TokenCreateParams, options?: RequestOptions): Promise<TokenCreateResponse> {
    return unwrap(this._client.request({ method: 'post', path: '/user/tokens', body, ...options }));
  }

  /**
   * Replaces a token's name, policies, condition, dates and status (`PUT /user/tokens/{token_id}`).
   *
   * @example
   * ```ts
   * const token = await client.user.tokens.get(id);
   * await client.user.tokens.update(id, { name: token.name, policies: token.policies, status: 'disabled' });
   * ```
   */
  async update(tokenId: string, body: TokenUpdateParams, options?: RequestOptions): Promise<Token> {
    return unwrap(
      this._client.request({ method: 'put', path: path`/user/tokens/${tokenId}`, body, ...options }),
    );
  }

  /**
   * Deletes a token; its value stops working at once (`DELETE /user/tokens/{token_id}`).
   *
   * @example
   * ```ts
   * const deleted = await client.user.tokens.delete('ed17574386854bf78a67040be0a770b0');
   * console.log(deleted?.id);
   * ```
   */
  async delete(tokenId: string, options?: RequestOptions): Promise<TokenDeleteResponse | null> {
    return unwrap(
      this._client.request({ method: 'delete', path: path`/user/tokens/${tokenId}`, ...options }),
    );
  }

  /**
   * Checks the token the client authenticates with (`GET /user/tokens/verify`). Needs no permission.
   *
   * @example
   * ```ts
   * const { id, status } = await client.user.tokens.verify();
   * ```
   */
  verify(options?: RequestOptions): Promise<TokenVerifyResponse> {
    return unwrap(this._client.request({ method: 'get', path: '/user/tokens/verify', ...options }));
  }
}
