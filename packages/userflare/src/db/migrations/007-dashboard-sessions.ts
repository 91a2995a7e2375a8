import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

/**
 * Dashboard sign-ins (issue 13), kept in the store so every replica knows them. The cookie's session id
 * is never stored: `id_hash` is its keyed hash. Kept out of TABLES_CHILDREN_FIRST: a reset or a
 * restore signs nobody out; a session whose credential is gone ends on its next request.
 */
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('dashboard_sessions')
    .addColumn('id_hash', t.text(64), (c) => c.primaryKey())
    .addColumn('user_id', t.text(32))
    .addColumn('kind', t.text(16))
    .addColumn('token_id', t.text(32))
    .addColumn('credential_hash', t.text(64))
    .addColumn('emulator', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.text(40), (c) => c.notNull())
    .addColumn('last_seen_at', t.text(40), (c) => c.notNull())
    .addColumn('expires_at', t.text(40), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dashboard_sessions_expiry')
    .on('dashboard_sessions')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dashboard_sessions').execute();
}
