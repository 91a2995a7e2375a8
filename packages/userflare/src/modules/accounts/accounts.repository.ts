import type { Executor } from '../../db/database.js';
import type { MembershipRow, OrganizationRow } from './accounts.table.js';

export type MembershipWithOrganization = MembershipRow & {
  organization_name: string;
  organization_type: string;
  organization_enforce_twofactor: number;
  organization_created_on: string;
};

export interface MembershipListFilter {
  userId: string;
  limit?: number;
  offset?: number;
}

export async function listMembershipsOfUser(
  db: Executor,
  filter: MembershipListFilter,
): Promise<{ rows: MembershipWithOrganization[]; totalCount: number }> {
  const base = db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .where('memberships.user_id', '=', filter.userId)
    .where('memberships.status', '=', 'accepted');
  let page = base
    .selectAll('memberships')
    .select([
      'organizations.name as organization_name',
      'organizations.type as organization_type',
      'organizations.enforce_twofactor as organization_enforce_twofactor',
      'organizations.created_on as organization_created_on',
    ])
    .orderBy('organizations.name')
    .orderBy('organizations.id');
  if (filter.limit === undefined) {
    // Every row is wanted: their number is the count, no second query.
    const rows = await page.execute();
    return { rows, totalCount: rows.length };
  }
  page = page.limit(filter.limit).offset(filter.offset ?? 0);
  const [rows, count] = await Promise.all([
    page.execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { rows, totalCount: Number(count.count) };
}

export async function listAccountIdsOfUser(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('organization_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'accepted')
    .execute();
  return rows.map((row) => row.organization_id);
}

export async function findOrganization(db: Executor, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrganizationByName(
  db: Executor,
  name: string,
): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('name', '=', name).orderBy('id').executeTakeFirst();
}

export async function insertOrganization(db: Executor, row: OrganizationRow): Promise<void> {
  await db.insertInto('organizations').values(row).execute();
}

export async function findMembership(
  db: Executor,
  userId: string,
  organizationId: string,
): Promise<MembershipRow | undefined> {
  return db
    .selectFrom('memberships')
    .selectAll()
    .where('user_id', '=', userId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

export async function listMembershipsOfOrganization(
  db: Executor,
  organizationId: string,
): Promise<MembershipRow[]> {
  return db.selectFrom('memberships').selectAll().where('organization_id', '=', organizationId).execute();
}

export async function insertMembership(db: Executor, row: MembershipRow): Promise<void> {
  await db.insertInto('memberships').values(row).execute();
}

export async function updateMembershipRoles(
  db: Executor,
  id: string,
  roles: string,
  permissions: string,
): Promise<void> {
  await db.updateTable('memberships').set({ roles, permissions }).where('id', '=', id).execute();
}

export async function deleteMembership(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('memberships').where('id', '=', id).execute();
}
