import { Userflare } from '@userflare/client';
import type { DashboardSession, RatePlan } from '@userflare/contract';
import { DASHBOARD_HEADERS } from '../../app/api';

/** A plan a subscription can move to: its id and the name Cloudflare shows. */
export interface PlanChoice {
  id: string;
  public_name: string;
  /** A contract plan is arranged with sales on Cloudflare; the emulator still lets it be picked. */
  is_contract: boolean;
}

/**
 * The ten plan ids the SDK types know (REFERENCE §7.3), named as userflare's built-in catalogue names
 * them. The API has no user route listing plans, so this is the list without the emulator unlocked.
 */
export const KNOWN_RATE_PLANS: readonly PlanChoice[] = [
  { id: 'free', public_name: 'Free Website', is_contract: false },
  { id: 'lite', public_name: 'Lite Plan', is_contract: false },
  { id: 'pro', public_name: 'Pro Plan', is_contract: false },
  { id: 'pro_plus', public_name: 'Pro Plus Plan', is_contract: false },
  { id: 'business', public_name: 'Business Plan', is_contract: false },
  { id: 'enterprise', public_name: 'Enterprise Website', is_contract: true },
  { id: 'partners_free', public_name: 'Partners Free Plan', is_contract: false },
  { id: 'partners_pro', public_name: 'Partners Pro Plan', is_contract: false },
  { id: 'partners_business', public_name: 'Partners Business Plan', is_contract: false },
  { id: 'partners_enterprise', public_name: 'Partners Enterprise Plan', is_contract: true },
];

export interface RatePlanCatalogue {
  plans: PlanChoice[];
  /** `server`: the server's own catalogue (admin plane); `known`: the SDK's list, added plans missing. */
  source: 'server' | 'known';
}

/**
 * The plans to offer: the server's catalogue (`GET /__userflare/rate_plans`, with plans a fixture added)
 * when the session unlocked the emulator, else the plan ids Cloudflare's SDK knows.
 */
export async function loadRatePlans(session: DashboardSession): Promise<RatePlanCatalogue> {
  if (!session.emulator) return { plans: [...KNOWN_RATE_PLANS], source: 'known' };
  const admin = new Userflare({
    baseURL: `${location.origin}${session.admin_base}`,
    apiToken: null,
    apiEmail: null,
    apiKey: null,
    maxRetries: 0,
    defaultHeaders: DASHBOARD_HEADERS,
  });
  try {
    const body = await admin.request<{ result: RatePlan[] }>({ method: 'get', path: '/rate_plans' });
    return {
      plans: body.result.map(({ id, public_name, is_contract }) => ({ id, public_name, is_contract })),
      source: 'server',
    };
  } catch {
    // The emulator lock may have ended since the session was read; the known plans still serve.
    return { plans: [...KNOWN_RATE_PLANS], source: 'known' };
  }
}
