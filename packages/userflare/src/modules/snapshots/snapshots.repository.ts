import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresAdapter, sql } from 'kysely';
import { type Db, type Executor, TABLES_CHILDREN_FIRST } from '../../db/database.js';
import { recountAuditLogs } from '../audit-logs/audit-logs.repository.js';
import type { SnapshotRow } from './snapshots.table.js';

/** A table a snapshot covers: every table but `snapshots` itself. */
export type StoreTable = (typeof TABLES_CHILDREN_FIRST)[number];

/**
 * One table's rows as the driver returned them (text, numbers, nulls; PostgreSQL's bigint `seq` as a
 * string), column names once and each row's values in that order: about half the JSON of row objects.
 */
export interface TableContents {
  columns: string[];
  rows: unknown[][];
}

export type StoreContents = Partial<Record<StoreTable, TableContents>>;

const TABLES_PARENTS_FIRST = [...TABLES_CHILDREN_FIRST].reverse();

/** Rows per insert statement: bounds the JSON text one statement carries. */
const ROWS_PER_INSERT = 5_000;

/** How long a restore waits for one table lock before starting over (PostgreSQL). */
const LOCK_TIMEOUT_MS = 200;
const LOCK_ATTEMPTS = 25;

function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function readTable(db: Executor, table: StoreTable): Promise<TableContents> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
  const first = rows[0];
  const columns = first ? Object.keys(first) : [];
  return { columns, rows: rows.map((row) => columns.map((column) => row[column])) };
}

/**
 * Every table's rows, read in one transaction. PostgreSQL's default isolation takes a fresh view per
 * statement, so the reads ask for repeatable read to see one state; SQLite's single connection runs
 * nothing else meanwhile.
 */
export async function readStoreContents(db: Db): Promise<StoreContents> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const contents: StoreContents = {};
      for (const table of TABLES_CHILDREN_FIRST) contents[table] = await readTable(trx, table);
      return contents;
    });
}

/**
 * PostgreSQL only: takes every table for the rest of the transaction, so no request reads or writes
 * between the deletes and the inserts (SQLite serializes transactions on its one connection already).
 * Locks are taken parents first, the order requests touch tables, and each wait is bounded well below
 * PostgreSQL's deadlock timeout (1 s by default): if a request holding one table waits on another the
 * restore holds, the restore gives way and starts over, and the request goes through.
 */
async function lockStoreForRestore(trx: Executor): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`set local lock_timeout = ${sql.lit(`${LOCK_TIMEOUT_MS}ms`)}`.execute(trx);
  await sql`lock table ${sql.join(TABLES_PARENTS_FIRST.map((table) => sql.table(table)))} in access exclusive mode`.execute(
    trx,
  );
}

/**
 * PostgreSQL only: moves the `audit_logs.seq` sequence to the restored maximum, so the next entry
 * neither collides with a restored one nor leaves a gap. SQLite's AUTOINCREMENT never reuses a number
 * and needs nothing.
 */
async function resetAuditLogSequence(trx: Executor): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select setval(pg_get_serial_sequence('audit_logs', 'seq'), coalesce(max(seq), 1), max(seq) is not null) from audit_logs`.execute(
    trx,
  );
}

/**
 * One statement inserting `rows`, handed over as a single JSON parameter that the store expands:
 * thousands of rows as bound parameters cost PostgreSQL hundreds of milliseconds to parse and plan,
 * and run into SQLite's limit of 32766 variables. Both stores turn JSON strings, numbers and nulls
 * back into the same text, integer, real and null values. PostgreSQL maps objects onto the table's
 * row type (which casts each value to its column's type); SQLite reads arrays, faster than objects.
 */
function insertFromJson(trx: Executor, table: StoreTable, columns: string[], rows: unknown[][]) {
  const columnList = sql.join(columns.map((column) => sql.ref(column)));
  if (isPostgres(trx)) {
    const json = JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))));
    return sql`insert into ${sql.table(table)} (${columnList}) select ${columnList} from json_populate_recordset(null::${sql.table(table)}, ${json}::json)`;
  }
  const values = sql.join(columns.map((_, i) => sql`value ->> ${sql.lit(i)}`));
  return sql`insert into ${sql.table(table)} (${columnList}) select ${values} from json_each(${JSON.stringify(rows)})`;
}

async function insertTable(trx: Executor, table: StoreTable, contents: TableContents): Promise<void> {
  const { columns, rows } = contents;
  if (rows.length === 0 || columns.length === 0) return;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    await insertFromJson(trx, table, columns, rows.slice(start, start + ROWS_PER_INSERT)).execute(trx);
  }
}

function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  // lock_not_available (our lock_timeout), deadlock_detected
  return code === '55P03' || code === '40P01';
}

/**
 * Replaces every table's rows with `contents` in one transaction: deletes children first, inserts
 * parents first in multi-row batches. A table absent from `contents` ends empty. Requests see the
 * store as it was before or after, never between.
 */
export async function replaceStoreContents(db: Db, contents: StoreContents): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction().execute(async (trx) => {
        await lockStoreForRestore(trx);
        for (const table of TABLES_CHILDREN_FIRST) await trx.deleteFrom(table).execute();
        for (const table of TABLES_PARENTS_FIRST) {
          const saved = contents[table];
          if (saved) await insertTable(trx, table, saved);
        }
        await resetAuditLogSequence(trx);
        await recountAuditLogs(trx);
      });
      return;
    } catch (error) {
      if (!isLockConflict(error) || attempt >= LOCK_ATTEMPTS) throw error;
      await sleep(10 + Math.random() * 40);
    }
  }
}

/** Saves `row`, replacing a snapshot of the same name. */
export async function upsertSnapshot(db: Executor, row: SnapshotRow): Promise<void> {
  await db
    .insertInto('snapshots')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet({
        created_on: row.created_on,
        row_count: row.row_count,
        data: row.data,
      }),
    )
    .execute();
}

export async function findSnapshot(db: Executor, name: string): Promise<SnapshotRow | undefined> {
  return db.selectFrom('snapshots').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Every snapshot without its data, by name. */
export async function listSnapshotSummaries(db: Executor): Promise<Omit<SnapshotRow, 'data'>[]> {
  return db.selectFrom('snapshots').select(['name', 'created_on', 'row_count']).orderBy('name').execute();
}

/** Whether a snapshot of that name existed. */
export async function deleteSnapshotRow(db: Executor, name: string): Promise<boolean> {
  const result = await db.deleteFrom('snapshots').where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
