import type {
  AdminRatePlan,
  Frequency,
  RatePlan,
  Subscription,
  UpdateSubscription,
} from '@userflare/contract';
import { formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { invalidField, ResourceNotFoundError } from '../../http/errors.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { appendBillingItem } from '../billing/billing.service.js';
import { BUILT_IN_RATE_PLANS } from './rate-plans.catalogue.js';
import {
  deleteSubscription as deleteSubscriptionRow,
  findRatePlan,
  findSubscriptionOfUser,
  listRatePlans,
  listSubscriptionsOfUser,
  type SubscriptionWithPlan,
  updateSubscription as updateSubscriptionRow,
  upsertRatePlan,
} from './subscriptions.repository.js';
import type { RatePlanRow } from './subscriptions.table.js';

type Prices = Partial<Record<Frequency, number>> & { monthly: number };

const round = (amount: number) => Math.round(amount * 100) / 100;

/** The price of one period: the plan's own price for that frequency, else derived from the monthly one. */
export function priceOf(plan: RatePlanRow, frequency: Frequency): number {
  const prices = JSON.parse(plan.prices) as Prices;
  const derived: Record<Frequency, number> = {
    weekly: round((prices.monthly * 12) / 52),
    monthly: prices.monthly,
    quarterly: prices.monthly * 3,
    yearly: prices.monthly * 12,
  };
  return prices[frequency] ?? derived[frequency];
}

/** The end of a period that starts at `start`; a month later than Jan 31 is the last of February. */
export function periodEnd(start: Date, frequency: Frequency): Date {
  const end = new Date(start);
  if (frequency === 'weekly') {
    end.setUTCDate(end.getUTCDate() + 7);
    return end;
  }
  const day = end.getUTCDate();
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() + { monthly: 1, quarterly: 3, yearly: 12 }[frequency]);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}

export function toRatePlan(plan: RatePlanRow): RatePlan {
  return {
    id: plan.id,
    currency: plan.currency,
    externally_managed: plan.externally_managed === 1,
    is_contract: plan.is_contract === 1,
    public_name: plan.public_name,
    scope: plan.scope,
    sets: JSON.parse(plan.sets) as string[],
  };
}

export function toSubscription(row: SubscriptionWithPlan): Subscription {
  return {
    id: row.id,
    currency: row.currency,
    current_period_start: formatTimestamp(new Date(row.current_period_start)),
    current_period_end: formatTimestamp(new Date(row.current_period_end)),
    frequency: row.frequency,
    price: row.price,
    rate_plan: toRatePlan(row.plan),
    state: row.state,
    ...(row.zone_name === null ? {} : { zone: { id: row.zone_id ?? '', name: row.zone_name } }),
  };
}

export async function listSubscriptions(ctx: ServerContext, userId: string): Promise<Subscription[]> {
  return (await listSubscriptionsOfUser(ctx.db, userId)).map(toSubscription);
}

async function findOwnSubscriptionOrFail(
  db: Executor,
  userId: string,
  id: string,
): Promise<SubscriptionWithPlan> {
  const row = await findSubscriptionOfUser(db, userId, id);
  if (!row) throw new ResourceNotFoundError();
  return row;
}

/**
 * `PUT /user/subscriptions/{id}`: a new plan or frequency starts a new period now, priced from the
 * plan, and bills it (REFERENCE §2.13; issue 3).
 */
export async function updateSubscription(
  ctx: ServerContext,
  actor: Actor,
  id: string,
  input: UpdateSubscription,
): Promise<Subscription> {
  const now = ctx.clock.now();
  const after = await ctx.db.transaction().execute(async (trx) => {
    const before = await findOwnSubscriptionOrFail(trx, actor.userId, id);
    const plan = input.rate_plan ? await findRatePlan(trx, input.rate_plan.id) : before.plan;
    if (!plan) throw invalidField(['rate_plan', 'id'], `unknown rate plan "${input.rate_plan?.id}"`);
    const frequency = input.frequency ?? before.frequency;
    const changes = {
      rate_plan_id: plan.id,
      frequency,
      price: priceOf(plan, frequency),
      currency: plan.currency,
      current_period_start: now.toISOString(),
      current_period_end: periodEnd(now, frequency).toISOString(),
    };
    await updateSubscriptionRow(trx, id, changes);
    const after: SubscriptionWithPlan = { ...before, ...changes, plan };
    await appendBillingItem(trx, {
      userId: actor.userId,
      action: 'subscription',
      type: 'charge',
      amount: changes.price,
      currency: plan.currency,
      description: `${plan.public_name} (${frequency})`,
      occurredAt: now,
      zoneName: before.zone_name,
    });
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'update',
      resource: { id, type: 'subscription' },
      oldValue: toSubscription(before),
      newValue: toSubscription(after),
      ...(before.zone_name ? { zoneName: before.zone_name } : {}),
    });
    return after;
  });
  return toSubscription(after);
}

/** `DELETE /user/subscriptions/{id}`: cancels and removes it, billing the cancellation at no charge. */
export async function deleteSubscription(
  ctx: ServerContext,
  actor: Actor,
  id: string,
): Promise<{ subscription_id: string }> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findOwnSubscriptionOrFail(trx, actor.userId, id);
    await deleteSubscriptionRow(trx, id);
    await appendBillingItem(trx, {
      userId: actor.userId,
      action: 'subscription',
      type: 'cancellation',
      amount: 0,
      currency: before.currency,
      description: `Cancelled ${before.plan.public_name} (${before.frequency})`,
      occurredAt: now,
      zoneName: before.zone_name,
    });
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'delete',
      resource: { id, type: 'subscription' },
      oldValue: toSubscription(before),
      ...(before.zone_name ? { zoneName: before.zone_name } : {}),
    });
  });
  return { subscription_id: id };
}

/** The rate plan catalogue: the built-in plans and those the admin plane added. */
export async function listRatePlanCatalogue(db: Executor): Promise<RatePlan[]> {
  return (await listRatePlans(db)).map(toRatePlan);
}

/** A rate plan as stored, from its admin-plane or fixture form. */
export function ratePlanRow(plan: AdminRatePlan): RatePlanRow {
  return {
    id: plan.id,
    public_name: plan.public_name,
    currency: plan.currency ?? 'USD',
    scope: plan.scope ?? 'zone',
    externally_managed: plan.externally_managed ? 1 : 0,
    is_contract: plan.is_contract ? 1 : 0,
    sets: JSON.stringify(plan.sets ?? []),
    tier: plan.tier ?? 'free',
    prices: JSON.stringify(plan.prices),
  };
}

/** Loads the built-in plans into an empty catalogue (a fresh or reset store). */
export async function ensureBuiltInRatePlans(db: Executor): Promise<void> {
  if ((await listRatePlans(db)).length > 0) return;
  for (const plan of BUILT_IN_RATE_PLANS) await upsertRatePlan(db, ratePlanRow(plan));
}
