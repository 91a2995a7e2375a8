import type { Account, Membership, Organization, TokenPolicy } from '@userflare/contract';
import { formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { Db, Executor } from '../../db/database.js';
import type { PageRequest } from '../../http/envelope.js';
import {
  listAccountIdsOfUser,
  listMembershipsOfUser,
  type MembershipWithOrganization,
} from './accounts.repository.js';

/**
 * The accounts a user is an accepted member of, through the read cache: account-scoped permission
 * checks and token policies need them on every request. A kept set is the same object until
 * memberships change, which lets `isPermitted` reuse its decision.
 */
export function accountIdsOf(
  ctx: ServerContext,
  userId: string,
): ReadonlySet<string> | Promise<ReadonlySet<string>> {
  return ctx.reads.readNow(
    `account-ids:${userId}`,
    async (): Promise<ReadonlySet<string>> => new Set(await listAccountIdsOfUser(ctx.db, userId)),
    { tables: ['memberships'] },
  );
}

function parseList(json: string): string[] {
  return JSON.parse(json) as string[];
}

function toOrganization(row: MembershipWithOrganization): Organization {
  return {
    id: row.organization_id,
    name: row.organization_name,
    permissions: parseList(row.permissions),
    roles: parseList(row.roles),
    status: 'member',
  };
}

function toAccount(row: MembershipWithOrganization): Account {
  return {
    id: row.organization_id,
    name: row.organization_name,
    type: row.organization_type,
    settings: { enforce_twofactor: row.organization_enforce_twofactor === 1 },
    created_on: formatTimestamp(new Date(row.organization_created_on)),
  };
}

function toMembership(row: MembershipWithOrganization): Membership {
  return {
    id: row.id,
    account: { id: row.organization_id, name: row.organization_name },
    permissions: parseList(row.permissions),
    roles: parseList(row.roles),
    status: row.status,
  };
}

/**
 * The organizations `GET /user` lists (every accepted membership, REFERENCE §2.1), and whether one of
 * them enforces two-factor authentication.
 */
export async function listOrganizationsOfUser(
  db: Executor,
  userId: string,
): Promise<{ organizations: Organization[]; twoFactorEnforced: boolean }> {
  const { rows } = await listMembershipsOfUser(db, { userId });
  return {
    organizations: rows.map(toOrganization),
    twoFactorEnforced: rows.some((row) => row.organization_enforce_twofactor === 1),
  };
}

/** Whether a token's policies reach into an account at all: what `/accounts` shows a token. */
function tokenReachesAccount(policies: readonly TokenPolicy[] | undefined, accountId: string): boolean {
  if (!policies) return true;
  return policies.some(
    (policy) =>
      policy.effect === 'allow' &&
      Object.keys(policy.resources).some(
        (key) =>
          key === 'com.cloudflare.api.account.*' ||
          key === `com.cloudflare.api.account.${accountId}` ||
          key === 'com.cloudflare.api.account.zone.*',
      ),
  );
}

export interface AccountPage<T> {
  items: T[];
  totalCount: number;
}

async function visibleMemberships(
  db: Db,
  userId: string,
  policies: readonly TokenPolicy[] | undefined,
  page: PageRequest,
): Promise<AccountPage<MembershipWithOrganization>> {
  const { rows } = await listMembershipsOfUser(db, { userId });
  const visible = rows.filter((row) => tokenReachesAccount(policies, row.organization_id));
  const start = (page.page - 1) * page.perPage;
  return { items: visible.slice(start, start + page.perPage), totalCount: visible.length };
}

/** `GET /accounts`: the user's accounts that the credential reaches (CLIENTS §9). */
export async function listAccounts(
  db: Db,
  userId: string,
  policies: readonly TokenPolicy[] | undefined,
  page: PageRequest,
): Promise<AccountPage<Account>> {
  const { items, totalCount } = await visibleMemberships(db, userId, policies, page);
  return { items: items.map(toAccount), totalCount };
}

/** `GET /memberships`: the user's memberships with account and roles, as wrangler reads them (CLIENTS §9). */
export async function listMemberships(
  db: Db,
  userId: string,
  policies: readonly TokenPolicy[] | undefined,
  page: PageRequest,
): Promise<AccountPage<Membership>> {
  const { items, totalCount } = await visibleMemberships(db, userId, policies, page);
  return { items: items.map(toMembership), totalCount };
}
