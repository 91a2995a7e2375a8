import type { Insertable, Selectable, Updateable } from 'kysely';

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  /** `active` or `disabled`; `expired` is derived from `expires_on` (REFERENCE §4.7). */
  status: 'active' | 'disabled';
  /** HMAC-SHA256 of the token value under USERFLARE_SECRET; the value itself is never stored. */
  value_hash: string;
  /** JSON array of TokenPolicy. */
  policies: string;
  /** JSON TokenCondition. */
  condition: string;
  not_before: string | null;
  expires_on: string | null;
  issued_on: string;
  modified_on: string;
  last_used_on: string | null;
}
export type TokenRow = Selectable<TokensTable>;
export type NewTokenRow = Insertable<TokensTable>;
export type TokenRowUpdate = Updateable<TokensTable>;
