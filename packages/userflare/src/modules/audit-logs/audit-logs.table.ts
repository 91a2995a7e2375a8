import type { Generated, Insertable, Selectable } from 'kysely';

export interface AuditLogsTable {
  /** Insertion order, for entries with the same `when`. */
  seq: Generated<number>;
  id: string;
  /** The user whose log this is. */
  owner_id: string;
  when: string;
  action_type: string;
  action_result: number;
  actor_id: string;
  actor_email: string;
  actor_ip: string;
  /** The actor IP as 32 hex digits (IPv4 mapped into IPv6), so a CIDR filter is a range scan. */
  actor_ip_key: string;
  actor_type: 'user' | 'admin' | 'Cloudflare';
  interface: string;
  resource_id: string;
  resource_type: string;
  zone_name: string | null;
  /** JSON object. */
  metadata: string;
  old_value: string | null;
  new_value: string | null;
}
export type AuditLogRow = Selectable<AuditLogsTable>;
export type NewAuditLogRow = Insertable<AuditLogsTable>;

/** How many entries each user's audit log holds (migration 006). */
/** A user's audit count is the sum of their rows (migration 008). */
export interface AuditCountsTable {
  owner_id: string;
  shard: number;
  entries: number;
}
