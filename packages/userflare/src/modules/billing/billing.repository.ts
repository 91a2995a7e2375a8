import type { Executor } from '../../db/database.js';
import type { BillingHistoryRow, BillingProfileRow } from './billing.table.js';

export async function insertBillingItem(db: Executor, row: BillingHistoryRow): Promise<void> {
  await db.insertInto('billing_history').values(row).execute();
}

export interface BillingHistoryFilter {
  userId: string;
  action?: string;
  type?: string;
  /** Items that occurred at or after this instant. */
  occurredFrom?: string;
  order: 'type' | 'occurred_at' | 'action' | undefined;
  limit: number;
  offset: number;
}

export async function listBillingHistory(
  db: Executor,
  filter: BillingHistoryFilter,
): Promise<{ rows: BillingHistoryRow[]; totalCount: number }> {
  let query = db.selectFrom('billing_history').where('user_id', '=', filter.userId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.occurredFrom !== undefined) query = query.where('occurred_at', '>=', filter.occurredFrom);
  let page = query.selectAll();
  page =
    filter.order === undefined
      ? page.orderBy('occurred_at', 'desc').orderBy('id', 'desc')
      : page.orderBy(filter.order, 'asc').orderBy('occurred_at', 'asc').orderBy('id', 'asc');
  const [rows, count] = await Promise.all([
    page.limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { rows, totalCount: Number(count.count) };
}

export async function findBillingProfile(
  db: Executor,
  userId: string,
): Promise<BillingProfileRow | undefined> {
  return db.selectFrom('billing_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertBillingProfile(db: Executor, row: BillingProfileRow): Promise<void> {
  await db
    .insertInto('billing_profiles')
    .values(row)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ fields: row.fields, edited_on: row.edited_on }))
    .execute();
}
