import type { AdminRatePlan } from '@userflare/contract';

const plan = (
  id: string,
  publicName: string,
  tier: NonNullable<AdminRatePlan['tier']>,
  monthly: number,
  yearly: number,
  extra: Partial<AdminRatePlan> = {},
): AdminRatePlan => ({ id, public_name: publicName, tier, prices: { monthly, yearly }, ...extra });

/** The rate plan ids the SDK types know (REFERENCE §7.3), priced like Cloudflare's public zone plans. */
export const BUILT_IN_RATE_PLANS: readonly AdminRatePlan[] = [
  plan('free', 'Free Website', 'free', 0, 0),
  plan('lite', 'Lite Plan', 'free', 5, 50),
  plan('pro', 'Pro Plan', 'pro', 25, 240),
  plan('pro_plus', 'Pro Plus Plan', 'pro', 50, 480),
  plan('business', 'Business Plan', 'business', 250, 2400),
  plan('enterprise', 'Enterprise Website', 'enterprise', 5000, 60000, {
    is_contract: true,
    externally_managed: true,
  }),
  plan('partners_free', 'Partners Free Plan', 'free', 0, 0, { externally_managed: true }),
  plan('partners_pro', 'Partners Pro Plan', 'pro', 25, 240, { externally_managed: true }),
  plan('partners_business', 'Partners Business Plan', 'business', 250, 2400, { externally_managed: true }),
  plan('partners_enterprise', 'Partners Enterprise Plan', 'enterprise', 5000, 60000, {
    is_contract: true,
    externally_managed: true,
  }),
];
