import type { EditUser, User as UserObject } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { APIResource } from '../../core/resource.js';
import { unwrap } from '../../internal/unwrap.js';
import { AuditLogs } from './audit-logs.js';
import { Billing } from './billing/billing.js';
import { Invites } from './invites.js';
import { Organizations } from './organizations.js';
import { Subscriptions } from './subscriptions.js';
import { Tokens } from './tokens/tokens.js';

/** The user's profile. */
export type UserGetResponse = UserObject;
/** The profile after the edit. */
export type UserEditResponse = UserObject;
/** Body of `user.edit`: any of `first_name`, `last_name`, `country`, `telephone`, `zipcode` (or `null`). */
export type UserEditParams = EditUser;

/** `/user`: the authenticated user and everything under it. */
export class User extends APIResource {
  /** `/user/audit_logs`. */
  readonly auditLogs: AuditLogs = new AuditLogs(this._client);
  /** `/user/billing/history` and `/user/billing/profile`. */
  readonly billing: Billing = new Billing(this._client);
  /** `/user/invites`. */
  readonly invites: Invites = new Invites(this._client);
  /** `/user/organizations`. */
  readonly organizations: Organizations = new Organizations(this._client);
  /** `/user/subscriptions`. */
  readonly subscriptions: Subscriptions = new Subscriptions(this._client);
  /** `/user/tokens`, with `permissionGroups` and `value`. */
  readonly tokens: Tokens = new Tokens(this._client);

  /**
   * Reads the authenticated user's profile (`GET /user`).
   *
   * @example
   * ```ts
   * const { email, first_name } = await client.user.get();
   * ```
   */
  get(options?: RequestOptions): Promise<UserGetResponse> {
    return unwrap(this._client.request({ method: 'get', path: '/user', ...options }));
  }

  /**
   * Changes profile fields; the ones left out keep their value, `null` clears one (`PATCH /user`).
   *
   * @example
   * ```ts
   * const user = await client.user.edit({ first_name: 'Ada', country: 'GB' });
   * ```
   */
  edit(body: UserEditParams, options?: RequestOptions): Promise<UserEditResponse> {
    return unwrap(this._client.request({ method: 'patch', path: '/user', body, ...options }));
  }
}
