import type { AuditLog, ListAuditLogsQuery } from '@userflare/contract';
import type { RequestOptions } from '../../core/client.js';
import { type PagePromise, V4PagePaginationArray } from '../../core/pagination.js';
import { APIResource } from '../../core/resource.js';

export type { AuditLog };

type Query = ListAuditLogsQuery;

/**
 * Query of `auditLogs.list`. The contract names the wire form (`'action.type'`); the SDK takes nested
 * objects like the official one and serializes them to those dotted names (CLIENTS §4). Defined here
 * because the contract has no nested form; every field's type still comes from the contract.
 */
export interface AuditLogListParams {
  /** Only the entry with this id. */
  id?: Query['id'];
  /** `action.type`: e.g. `token_create`. */
  action?: { type?: Query['action.type'] };
  /** `actor.ip` (an address or CIDR range) and `actor.email`. */
  actor?: { ip?: Query['actor.ip']; email?: Query['actor.email'] };
  /** Entries older than this date or date-time. */
  before?: Query['before'] | Date;
  /** Entries newer than this date or date-time. */
  since?: Query['since'] | Date;
  direction?: Query['direction'];
  export?: Query['export'];
  hide_user_logs?: Query['hide_user_logs'];
  page?: Query['page'];
  per_page?: Query['per_page'];
  /** `zone.name`. */
  zone?: { name?: Query['zone.name'] };
}

/** `/user/audit_logs`: what was done, by whom, from where. */
export class AuditLogs extends APIResource {
  /**
   * Lists the user's audit log entries, newest first by default (`GET /user/audit_logs`).
   *
   * @example
   * ```ts
   * for await (const entry of client.user.auditLogs.list({ action: { type: 'token_create' }, per_page: 50 })) {
   *   console.log(entry.when, entry.actor.email, entry.action.type);
   * }
   * ```
   */
  list(
    query: AuditLogListParams = {},
    options?: RequestOptions,
  ): PagePromise<V4PagePaginationArray<AuditLog>, AuditLog> {
    return this._client.getAPIList(V4PagePaginationArray<AuditLog>, {
      method: 'get',
      path: '/user/audit_logs',
      query: { ...query },
      ...options,
    });
  }
}
