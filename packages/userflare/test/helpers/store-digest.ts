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

/**
 * The tables of the store's own schema, Kysely's migration tables left out unless asked for. Kysely's
 * PostgreSQL introspection reads every schema of the database, and fails when another test drops one
 * meanwhile (the migrator had the same race: create-database.ts), so PostgreSQL is asked directly.
 */
export async function storeTables(
  store: Store,
  options: { withKyselyTables?: boolean } = {},
): Promise<string[]> {
  let names: string[];
  if (store.dialect === 'postgres') {
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
      store.db,
    );
    names = rows.map((row) => row.name);
  } else {
    names = (await store.db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name);
  }
  return names.filter((name) => options.withKyselyTables || !name.startsWith('kysely_')).sort();
}

const tablesByStore = new WeakMap<Store, Promise<string[]>>();

/**
 * Every table of the store, read once per store: TABLES_CHILDREN_FIRST leaves some out on purpose
 * (snapshots survive a reset), and a write to those must show too.
 */
function tablesOf(store: Store): Promise<string[]> {
  let tables = tablesByStore.get(store);
  if (!tables) {
    tables = storeTables(store);
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
