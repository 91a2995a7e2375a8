import type { Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  telephone: string | null;
  country: string | null;
  zipcode: string | null;
  /** JSON array of beta names. */
  betas: string;
  suspended: number;
  two_factor_authentication_enabled: number;
  /** HMAC-SHA256 of the global API key under USERFLARE_SECRET; never the key itself. */
  api_key_hash: string | null;
  created_on: string;
  modified_on: string;
}
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserRowUpdate = Updateable<UsersTable>;
