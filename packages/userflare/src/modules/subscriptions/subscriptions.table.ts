import type { Selectable } from 'kysely';

export interface RatePlansTable {
  id: string;
  public_name: string;
  currency: string;
  scope: string;
  externally_managed: number;
  is_contract: number;
  /** JSON array. */
  sets: string;
  /** free, pro, business or enterprise: which `has_*_zones` flag it sets. */
  tier: string;
  /** JSON `{weekly, monthly, quarterly, yearly}` prices in `currency`. */
  prices: string;
}
export type RatePlanRow = Selectable<RatePlansTable>;

export interface SubscriptionsTable {
  id: string;
  user_id: string;
  rate_plan_id: string;
  frequency: 'weekly' | 'monthly' | 'quarterly' | 'yearly';
  state: 'Trial' | 'Provisioned' | 'Paid' | 'AwaitingPayment' | 'Cancelled' | 'Failed' | 'Expired';
  price: number;
  currency: string;
  current_period_start: string;
  current_period_end: string;
  zone_id: string | null;
  zone_name: string | null;
  created_on: string;
}
export type SubscriptionRow = Selectable<SubscriptionsTable>;
