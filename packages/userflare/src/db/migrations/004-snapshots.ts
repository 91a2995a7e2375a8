import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

/**
 * Named copies of the whole store (`/__userflare/snapshots`). Kept out of TABLES_CHILDREN_FIRST, so a
 * reset or a restore never deletes them; `data` is the JSON of every other table's rows.
 */
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('name', t.text(64), (c) => c.primaryKey())
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('snapshots').execute();
}
