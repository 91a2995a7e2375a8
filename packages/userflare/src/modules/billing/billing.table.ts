import type { Selectable } from 'kysely';

export interface BillingHistoryTable {
  id: string;
  user_id: string;
  action: string;
  type: string;
  amount: number;
  currency: string;
  description: string;
  occurred_at: string;
  zone_name: string | null;
}
export type BillingHistoryRow = Selectable<BillingHistoryTable>;

export interface BillingProfilesTable {
  user_id: string;
  id: string;
  /** JSON object of the profile fields (REFERENCE §7.6). */
  fields: string;
  created_on: string;
  edited_on: string;
}
export type BillingProfileRow = Selectable<BillingProfilesTable>;
