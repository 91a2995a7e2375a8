import { type Expression, sql } from 'kysely';

/** Column types that differ between the stores, handed to every migration. */
export interface ColumnTypes {
  /** A string column (bounded when `maxLength` is given) that sorts and compares by code point. */
  text(maxLength?: number): Expression<unknown> | 'text';
}

export const sqliteColumnTypes: ColumnTypes = {
  // SQLite compares text with BINARY collation by default: code point order already.
  text: (maxLength) => (maxLength === undefined ? 'text' : sql`varchar(${sql.raw(String(maxLength))})`),
};

export const postgresColumnTypes: ColumnTypes = {
  // A database's default collation (e.g. en_US) sorts '-' and ':' unlike SQLite; "C" makes ordering and
  // range filters identical on both stores.
  text: (maxLength) =>
    maxLength === undefined ? sql`text collate "C"` : sql`varchar(${sql.raw(String(maxLength))}) collate "C"`,
};
