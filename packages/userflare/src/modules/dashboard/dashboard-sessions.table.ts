import type { Insertable, Selectable, Updateable } from 'kysely';

/** A dashboard session (issue 13): what its cookie stands for, never the cookie's value itself. */
export interface DashboardSessionsTable {
  /** Keyed hash (HMAC-SHA256 under USERFLARE_SECRET) of the cookie's session id. */
  id_hash: string;
  /** The signed-in user; null for a session unlocked with the admin key only. */
  user_id: string | null;
  kind: 'token' | 'global_key' | null;
  token_id: string | null;
  /** The token's value hash, or the user's `api_key_hash`, at sign-in: a rolled credential ends the session. */
  credential_hash: string | null;
  /** 1 once the admin key was given: the Emulator pages and the proxied admin plane are open. */
  emulator: number;
  /** Wall-clock times, RFC 3339 UTC. */
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}
export type DashboardSessionRow = Selectable<DashboardSessionsTable>;
export type NewDashboardSessionRow = Insertable<DashboardSessionsTable>;
export type DashboardSessionRowUpdate = Updateable<DashboardSessionsTable>;
