import { type ColumnDefinitionBuilder, type Expression, sql } from 'kysely';

/** Column types that differ between the stores, handed to every migration. */
export interface ColumnTypes {
  /** A string column (bounded when `maxLength` is given) that sorts and compares by code point. */
  text(maxLength?: number): Expression<unknown> | 'text';
  /** An integer primary key the store numbers in insertion order. */
  sequence: { type: 'integer' | 'bigserial'; key(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder };
}

export const sqliteColumnTypes: ColumnTypes = {
  // SQLite compares text with BINARY collation by default: code point order already.
  text: (maxLength) => (maxLength === undefined ? 'text' : sql`varchar(${sql.raw(String(maxLength))})`),
  sequence: { type: 'integer', key: (column) => column.primaryKey().autoIncrement() },
};

export const postgresColumnTypes: ColumnTypes = {
  // A database's default collation (e.g. en_US) sorts '-' and ':' unlike SQLite; "C" makes ordering and
  // range filters identical on both stores.
  text: (maxLength) =>
    maxLength === undefined ? sql`text collate "C"` : sql`varchar(${sql.raw(String(maxLength))}) collate "C"`,
  sequence: { type: 'bigserial', key: (column) => column.primaryKey() },
};
