import { type Kysely, sql } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

/**
 * Each user's number of audit entries, kept in the transaction that writes each entry: an unfiltered
 * audit page then counts in constant time rather than along every entry (issue 6: the soak's rate
 * halved as the log grew to 141,000 entries). Derived from `audit_logs`, so counted here once.
 */
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('audit_counts')
    .addColumn('owner_id', t.text(32), (c) => c.primaryKey())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into audit_counts (owner_id, entries) select owner_id, count(*) from audit_logs group by owner_id`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_counts').execute();
}
