import type { Kysely, Transaction } from 'kysely';
import type { MembershipsTable, OrganizationsTable } from '../modules/accounts/accounts.table.js';
import type { AuditLogsTable } from '../modules/audit-logs/audit-logs.table.js';
import type { TokensTable } from '../modules/tokens/tokens.table.js';
import type { UsersTable } from '../modules/users/users.table.js';

export interface Database {
  users: UsersTable;
  tokens: TokensTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  audit_logs: AuditLogsTable;
}

/** What repositories take first: the database or a transaction on it. */
export type Executor = Kysely<Database> | Transaction<Database>;
export type Db = Kysely<Database>;
