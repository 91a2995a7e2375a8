import type { Invite, RespondToInvite } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { type PagePromise, SinglePage } from '../../core/pagination.js';
import { APIResource } from '../../core/resource.js';
import { path } from '../../internal/path.js';
import { unwrap } from '../../internal/unwrap.js';

export type { Invite };
/** Body of `invites.edit`: `{status: 'accepted' | 'rejected'}`. */
export type InviteEditParams = RespondToInvite;

/** `/user/invites`: invitations to join organizations. */
export class Invites extends APIResource {
  /**
   * Lists the user's invitations, all in one page (`GET /user/invites`).
   *
   * @example
   * ```ts
   * const pending = (await client.user.invites.list()).result.filter((i) => i.status === 'pending');
   * ```
   */
  list(options?: RequestOptions): PagePromise<SinglePage<Invite>, Invite> {
    return this._client.getAPIList(SinglePage<Invite>, { method: 'get', path: '/user/invites', ...options });
  }

  /**
   * Reads one invitation (`GET /user/invites/{invite_id}`).
   *
   * @example
   * ```ts
   * const invite = await client.user.invites.get('4f5f0c14a2a41d5063dd301b2f829f04');
   * ```
   */
  async get(inviteId: string, options?: RequestOptions): Promise<Invite> {
    return unwrap(this._client.request({ method: 'get', path: path`/user/invites/${inviteId}`, ...options }));
  }

  /**
   * Accepts or rejects an invitation (`PATCH /user/invites/{invite_id}`).
   *
   * @example
   * ```ts
   * await client.user.invites.edit('4f5f0c14a2a41d5063dd301b2f829f04', { status: 'accepted' });
   * ```
   */
  async edit(inviteId: string, body: InviteEditParams, options?: RequestOptions): Promise<Invite> {
    return unwrap(
      this._client.request({ method: 'patch', path: path`/user/invites/${inviteId}`, body, ...options }),
    );
  }
}
