import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { BuiltApp } from 'userflare';

type Store = BuiltApp['store'];

/**
 * Columns an accepted credential updates whatever the request then does: authentication records
 * `last_used_on` in memory and a timer writes it every few seconds (LastUsedRecorder), so it may land
 * between two digests of a request that was refused after authentication. Using a token is not a
 * change the request made.
 */
const USAGE_COLUMNS: Record<string, readonly string[]> = { tokens: ['last_used_on'] };

const tablesByStore = new WeakMap<Store, Promise<string[]>>();

/**
 * Every table of the store, read once per store: TABLES_CHILDREN_FIRST leaves some out on purpose
 * (snapshots survive a reset), and a write to those must show too. On PostgreSQL the introspection
 * lists every schema of the database, so only the connection's current schema counts.
 */
function tablesOf(store: Store): Promise<string[]> {
  let tables = tablesByStore.get(store);
  if (!tables) {
    tables = (async () => {
      const all = await store.db.introspection.getTables();
      let schema: string | undefined;
      if (store.dialect === 'postgres') {
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
        schema = rows[0]?.schema;
      }
      const own = all.filter((t) => schema === undefined || t.schema === schema).map((t) => t.name);
      return [...new Set(own)].sort();
    })();
    tablesByStore.set(store, tables);
  }
  return tables;
}

/**
 * A fingerprint of every row of every table (row count and a SHA-256 of the rows, each serialized with
 * its columns in name order and the rows sorted, so it does not depend on the order the store returns
 * them), usage columns left out. Equal digests before and after a request mean it wrote nothing.
 */
export async function digestStoreRows(store: Store): Promise<Record<string, string>> {
  const entries = await Promise.all(
    (await tablesOf(store)).map(async (table) => {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
        store.db,
      );
      const ignored = USAGE_COLUMNS[table] ?? [];
      const lines = rows
        .map((row) => {
          const columns = Object.keys(row)
            .filter((column) => !ignored.includes(column))
            .sort();
          return JSON.stringify(columns.map((column) => [column, row[column]]));
        })
        .sort();
      const hash = createHash('sha256').update(lines.join('\n')).digest('hex');
      return [table, `${rows.length} rows, sha256 ${hash}`] as const;
    }),
  );
  return Object.fromEntries(entries);
}
