import type { Executor } from '../../db/database.js';
import type { AuditLogRow, NewAuditLogRow } from './audit-logs.table.js';

export async function insertAuditLog(db: Executor, row: NewAuditLogRow): Promise<void> {
  await db.insertInto('audit_logs').values(row).execute();
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
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('when', filter.direction)
      .orderBy('seq', filter.direction)
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow(),
  ]);
  return { rows, totalCount: Number(count.count) };
}
