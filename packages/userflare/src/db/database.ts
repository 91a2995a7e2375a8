import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import type { MembershipsTable, OrganizationsTable } from '../modules/accounts/accounts.table.js';
import type { AuditCountsTable, AuditLogsTable } from '../modules/audit-logs/audit-logs.table.js';
import type { BillingHistoryTable, BillingProfilesTable } from '../modules/billing/billing.table.js';
import type { DashboardSessionsTable } from '../modules/dashboard/dashboard-sessions.table.js';
import type { InvitesTable } from '../modules/invites/invites.table.js';
import type { RateLimitCountersTable } from '../modules/rate-limits/rate-limits.table.js';
import type { SnapshotsTable } from '../modules/snapshots/snapshots.table.js';
import type { RatePlansTable, SubscriptionsTable } from '../modules/subscriptions/subscriptions.table.js';
import type { TokensTable } from '../modules/tokens/tokens.table.js';
import type { UsersTable } from '../modules/users/users.table.js';

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  audit_logs: AuditLogsTable;
  /** Derived from `audit_logs`: not in TABLES_CHILDREN_FIRST, counted again after a restore. */
  audit_counts: AuditCountsTable;
  invites: InvitesTable;
  rate_plans: RatePlansTable;
  subscriptions: SubscriptionsTable;
  billing_history: BillingHistoryTable;
  billing_profiles: BillingProfilesTable;
  /** Not in TABLES_CHILDREN_FIRST: a reset or a restore keeps the snapshots. */
  snapshots: SnapshotsTable;
  /** Not in TABLES_CHILDREN_FIRST either: counters are not state a snapshot or a reset is about. */
  rate_limit_counters: RateLimitCountersTable;
  /** Not in TABLES_CHILDREN_FIRST: a reset or a restore signs no one out of the dashboard. */
  dashboard_sessions: DashboardSessionsTable;
}

/** Every table, children first: the order to empty them in. */
export const TABLES_CHILDREN_FIRST = [
  'audit_logs',
  'billing_profiles',
  'billing_history',
  'subscriptions',
  'rate_plans',
  'invites',
  'memberships',
  'organizations',
  'tokens',
  'users',
] as const satisfies readonly (keyof Database)[];

/** What repositories take first: the database or a transaction on it. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Db = Kysely<Database>;

/**
 * Runs statements that read nothing back, in order, in one transaction. On PostgreSQL they leave
 * together with their `begin` and `commit` (one round trip), so a row lock they take is held only
 * while the database itself works, never across a round trip (issue 14: every write of a user takes
 * the lock on its `audit_counts` row).
 */
export type CommitTogether = (statements: readonly CompiledQuery[]) => Promise<void>;

/** `CommitTogether` through Kysely's own transaction: SQLite, where a statement costs no round trip. */
export function committedInTransaction(db: Db): CommitTogether {
  return (statements) =>
    db.transaction().execute(async (trx) => {
      for (const statement of statements) await trx.executeQuery(statement);
    });
}
