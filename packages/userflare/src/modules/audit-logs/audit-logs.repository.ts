import { type CompiledQuery, PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AuditLogRow, NewAuditLogRow } from './audit-logs.table.js';

const COUNT_SHARDS = 16;
const PG_COUNT_SHARD = sql<number>`pg_backend_pid() % ${sql.lit(COUNT_SHARDS)}`;

/** Which of the owner's count rows a write adds to: its connection's own on PostgreSQL (migration 008). */
function countShard(db: Executor) {
  return db.getExecutor().adapter instanceof PostgresAdapter ? PG_COUNT_SHARD : 0;
}

/** An entry and its owner's count, as statements for `CommitTogether` or a transaction. */
export function insertAuditLogStatements(db: Executor, row: NewAuditLogRow): CompiledQuery[] {
  return [
    db.insertInto('audit_logs').values(row).compile(),
    db
      .insertInto('audit_counts')
      .values({ owner_id: row.owner_id, shard: countShard(db), entries: 1 })
      .onConflict((conflict) =>
        conflict
          .columns(['owner_id', 'shard'])
          .doUpdateSet({ entries: (eb) => eb('audit_counts.entries', '+', 1) }),
      )
      .compile(),
  ];
}

/** Writes an entry and counts it for its owner, in the caller's transaction. */
export async function insertAuditLog(db: Executor, row: NewAuditLogRow): Promise<void> {
  for (const statement of insertAuditLogStatements(db, row)) await db.executeQuery(statement);
}

/** Counts every owner's entries again: after a restore, which writes `audit_logs` wholesale. */
export async function recountAuditLogs(db: Executor): Promise<void> {
  await db.deleteFrom('audit_counts').execute();
  await sql`insert into audit_counts (owner_id, shard, entries) select owner_id, 0, count(*) from audit_logs group by owner_id`.execute(
    db,
  );
}

export interface AuditLogFilter {
  ownerId: string;
  id?: string;
  actionType?: string;
  actorEmail?: string;
  /** Inclusive bounds on `actor_ip_key`: one address or a CIDR range. */
  actorIpKeyRange?: [string, string];
  zoneName?: string;
  /** Exclusive bounds on `when`. */
  since?: string;
  before?: string;
  hideUserLogs: boolean;
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** True when the filter narrows nothing: every entry of the owner is counted, from `audit_counts`. */
function countsEveryEntry(filter: AuditLogFilter): boolean {
  return (
    filter.id === undefined &&
    filter.actionType === undefined &&
    filter.actorEmail === undefined &&
    filter.actorIpKeyRange === undefined &&
    filter.zoneName === undefined &&
    filter.since === undefined &&
    filter.before === undefined &&
    !filter.hideUserLogs
  );
}

async function countOwnEntries(db: Executor, ownerId: string): Promise<number> {
  const row = await db
    .selectFrom('audit_counts')
    .select((eb) => eb.fn.sum<number | string | null>('entries').as('entries'))
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  return Number(row?.entries ?? 0);
}

export async function listAuditLogs(
  db: Executor,
  filter: AuditLogFilter,
): Promise<{ rows: AuditLogRow[]; totalCount: number }> {
  let query = db.selectFrom('audit_logs').where('owner_id', '=', filter.ownerId);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.actionType !== undefined) query = query.where('action_type', '=', filter.actionType);
  if (filter.actorEmail !== undefined) query = query.where('actor_email', '=', filter.actorEmail);
  if (filter.actorIpKeyRange !== undefined) {
    query = query
      .where('actor_ip_key', '>=', filter.actorIpKeyRange[0])
      .where('actor_ip_key', '<=', filter.actorIpKeyRange[1]);
  }
  if (filter.zoneName !== undefined) query = query.where('zone_name', '=', filter.zoneName);
  if (filter.since !== undefined) query = query.where('when', '>', filter.since);
  if (filter.before !== undefined) query = query.where('when', '<', filter.before);
  if (filter.hideUserLogs) query = query.where('resource_type', '!=', 'user');
  // A filtered count walks only its matches along its index; the owner's whole log is counted already.
  const count = countsEveryEntry(filter)
    ? countOwnEntries(db, filter.ownerId)
    : query
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow()
        .then((row) => Number(row.count));
  const [rows, totalCount] = await Promise.all([
    query
      .selectAll()
      .orderBy('when', filter.direction)
      .orderBy('seq', filter.direction)
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    count,
  ]);
  return { rows, totalCount };
}
