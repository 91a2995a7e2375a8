import type { Executor } from '../../db/database.js';
import type { RatePlanRow, SubscriptionRow } from './subscriptions.table.js';

export type SubscriptionWithPlan = SubscriptionRow & { plan: RatePlanRow };

export async function findRatePlan(db: Executor, id: string): Promise<RatePlanRow | undefined> {
  return db.selectFrom('rate_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRatePlans(db: Executor): Promise<RatePlanRow[]> {
  return db.selectFrom('rate_plans').selectAll().orderBy('id').execute();
}

export async function upsertRatePlan(db: Executor, row: RatePlanRow): Promise<void> {
  const { id: _id, ...changes } = row;
  await db
    .insertInto('rate_plans')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute();
}

async function withPlans(db: Executor, rows: SubscriptionRow[]): Promise<SubscriptionWithPlan[]> {
  if (rows.length === 0) return [];
  const plans = await db
    .selectFrom('rate_plans')
    .selectAll()
    .where('id', 'in', [...new Set(rows.map((r) => r.rate_plan_id))])
    .execute();
  const byId = new Map(plans.map((p) => [p.id, p]));
  return rows.flatMap((row) => {
    const plan = byId.get(row.rate_plan_id);
    return plan ? [{ ...row, plan }] : [];
  });
}

export async function listSubscriptionsOfUser(db: Executor, userId: string): Promise<SubscriptionWithPlan[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_on')
    .orderBy('id')
    .execute();
  return withPlans(db, rows);
}

export async function findSubscriptionOfUser(
  db: Executor,
  userId: string,
  id: string,
): Promise<SubscriptionWithPlan | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? (await withPlans(db, [row]))[0] : undefined;
}

export async function insertSubscription(db: Executor, row: SubscriptionRow): Promise<void> {
  await db.insertInto('subscriptions').values(row).execute();
}

export async function updateSubscription(
  db: Executor,
  id: string,
  changes: Partial<SubscriptionRow>,
): Promise<void> {
  await db.updateTable('subscriptions').set(changes).where('id', '=', id).execute();
}

export async function deleteSubscription(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('subscriptions').where('id', '=', id).execute();
}

/** The tiers of the user's zone subscriptions that are in force: what `has_*_zones` reads. */
export async function listActiveZoneTiers(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .innerJoin('rate_plans', 'rate_plans.id', 'subscriptions.rate_plan_id')
    .select('rate_plans.tier')
    .where('subscriptions.user_id', '=', userId)
    .where('rate_plans.scope', '=', 'zone')
    .where('subscriptions.state', 'in', ['Trial', 'Provisioned', 'Paid', 'AwaitingPayment'])
    .execute();
  return rows.map((row) => row.tier);
}
