import type {
  BillingHistory,
  BillingProfile,
  BillingProfileFields,
  ListBillingHistoryQuery,
} from '@userflare/contract';
import { formatTimestamp, parseInstantRoundingUp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { newId } from '../../random.js';
import { findUserById } from '../users/users.repository.js';
import { findBillingProfile, insertBillingItem, listBillingHistory } from './billing.repository.js';
import type { BillingHistoryRow } from './billing.table.js';

function toBillingHistory(row: BillingHistoryRow): BillingHistory {
  return {
    id: row.id,
    action: row.action,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    occurred_at: formatTimestamp(new Date(row.occurred_at)),
    type: row.type,
    zone: row.zone_name === null ? {} : { name: row.zone_name },
  };
}

export interface NewBillingItem {
  id?: string;
  userId: string;
  action: string;
  type: string;
  amount: number;
  currency: string;
  description: string;
  occurredAt: Date;
  zoneName?: string | null;
}

/** Appends a billing history item; call it in the transaction of the change it bills. */
export async function appendBillingItem(db: Executor, item: NewBillingItem): Promise<BillingHistory> {
  const row: BillingHistoryRow = {
    id: item.id ?? newId(),
    user_id: item.userId,
    action: item.action,
    type: item.type,
    amount: Math.round(item.amount * 100) / 100,
    currency: item.currency,
    description: item.description,
    occurred_at: item.occurredAt.toISOString(),
    zone_name: item.zoneName ?? null,
  };
  await insertBillingItem(db, row);
  return toBillingHistory(row);
}

export interface BillingHistoryPage {
  items: BillingHistory[];
  totalCount: number;
  page: number;
  perPage: number;
}

/**
 * `GET /user/billing/history` (REFERENCE §2.4): `occurred_at` keeps the items from that instant on;
 * `order` sorts ascending by that field, and without it the newest come first.
 */
export async function listBillingHistoryOfUser(
  ctx: ServerContext,
  userId: string,
  query: ListBillingHistoryQuery,
): Promise<BillingHistoryPage> {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 20;
  const { rows, totalCount } = await listBillingHistory(ctx.db, {
    userId,
    action: query.action,
    type: query.type,
    occurredFrom:
      query.occurred_at === undefined ? undefined : parseInstantRoundingUp(query.occurred_at).toISOString(),
    order: query.order,
    limit: perPage,
    offset: (page - 1) * perPage,
  });
  return { items: rows.map(toBillingHistory), totalCount, page, perPage };
}

/** `GET /user/billing/profile`: the stored profile, or one drawn from the user's own details. */
export async function getBillingProfile(ctx: ServerContext, userId: string): Promise<BillingProfile> {
  const stored = await findBillingProfile(ctx.db, userId);
  if (stored) {
    return {
      id: stored.id,
      created_on: formatTimestamp(new Date(stored.created_on)),
      edited_on: formatTimestamp(new Date(stored.edited_on)),
      ...(JSON.parse(stored.fields) as BillingProfileFields),
    };
  }
  const user = await findUserById(ctx.db, userId);
  if (!user) throw new Error(`authenticated user ${userId} has no row`);
  const created = formatTimestamp(new Date(user.created_on));
  const fields: BillingProfile = {
    id: user.id,
    created_on: created,
    edited_on: created,
    primary_email: user.email,
    balance: '0',
  };
  if (user.first_name) fields.first_name = user.first_name;
  if (user.last_name) fields.last_name = user.last_name;
  if (user.country) fields.country = user.country;
  if (user.zipcode) fields.zipcode = user.zipcode;
  if (user.telephone) fields.telephone = user.telephone;
  return fields;
}
