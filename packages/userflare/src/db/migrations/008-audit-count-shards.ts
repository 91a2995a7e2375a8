import { type Kysely, sql } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

/**
 * Each user's audit count in several rows, summed when read (issue 14). With one row per user, every
 * write of that user waited for the row lock of the write before it to be released at its commit;
 * on PostgreSQL, ten concurrent token creates of one user spent more time waiting on that row, and
 * more database CPU per write, than on everything else they do. A PostgreSQL connection adds to a
 * row of its own (by backend process), so concurrent writes rarely meet; SQLite has one writer and
 * uses shard 0.
 */
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('audit_count_shards')
    .addColumn('owner_id', t.text(32), (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_count_shards_pkey', ['owner_id', 'shard'])
    .execute();
  await sql`insert into audit_count_shards (owner_id, shard, entries) select owner_id, 0, entries from audit_counts`.execute(
    db,
  );
  await db.schema.dropTable('audit_counts').execute();
  await db.schema.alterTable('audit_count_shards').renameTo('audit_counts').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_counts').renameTo('audit_count_shards').execute();
  await db.schema
    .createTable('audit_counts')
    .addColumn('owner_id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into audit_counts (owner_id, entries) select owner_id, sum(entries) from audit_count_shards group by owner_id`.execute(
    db,
  );
  await db.schema.dropTable('audit_count_shards').execute();
}
