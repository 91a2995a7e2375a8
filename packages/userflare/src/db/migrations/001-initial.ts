import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

// Timestamps are RFC 3339 UTC text and JSON is text in both stores, so ordering and round-trips are
// identical on SQLite and PostgreSQL.
export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('email', t.text(90), (c) => c.notNull().unique())
    .addColumn('first_name', t.text(60))
    .addColumn('last_name', t.text(60))
    .addColumn('telephone', t.text(20))
    .addColumn('country', t.text(30))
    .addColumn('zipcode', t.text(20))
    .addColumn('betas', t.text(), (c) => c.notNull().defaultTo('[]'))
    .addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('two_factor_authentication_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('api_key_hash', t.text(64), (c) => c.unique())
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .addColumn('modified_on', t.text(40), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('user_id', t.text(32), (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', t.text(120), (c) => c.notNull())
    .addColumn('status', t.text(16), (c) => c.notNull())
    .addColumn('value_hash', t.text(64), (c) => c.notNull().unique())
    .addColumn('policies', t.text(), (c) => c.notNull())
    .addColumn('condition', t.text(), (c) => c.notNull())
    .addColumn('not_before', t.text(40))
    .addColumn('expires_on', t.text(40))
    .addColumn('issued_on', t.text(40), (c) => c.notNull())
    .addColumn('modified_on', t.text(40), (c) => c.notNull())
    .addColumn('last_used_on', t.text(40))
    .execute();
  await db.schema
    .createIndex('tokens_user_issued')
    .on('tokens')
    .columns(['user_id', 'issued_on', 'id'])
    .execute();

  await db.schema
    .createTable('organizations')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('name', t.text(100), (c) => c.notNull())
    .addColumn('type', t.text(20), (c) => c.notNull().defaultTo('standard'))
    .addColumn('enforce_twofactor', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('user_id', t.text(32), (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organization_id', t.text(32), (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('roles', t.text(), (c) => c.notNull())
    .addColumn('permissions', t.text(), (c) => c.notNull())
    .addColumn('status', t.text(16), (c) => c.notNull())
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .addUniqueConstraint('memberships_user_organization', ['user_id', 'organization_id'])
    .execute();

  await db.schema
    .createTable('audit_logs')
    // Entries written in the same millisecond (or under a frozen clock) still list in the order written.
    .addColumn('seq', t.sequence.type, (c) => t.sequence.key(c))
    .addColumn('id', t.text(36), (c) => c.notNull().unique())
    .addColumn('owner_id', t.text(32), (c) => c.notNull())
    .addColumn('when', t.text(40), (c) => c.notNull())
    .addColumn('action_type', t.text(64), (c) => c.notNull())
    .addColumn('action_result', 'integer', (c) => c.notNull())
    .addColumn('actor_id', t.text(32), (c) => c.notNull())
    .addColumn('actor_email', t.text(90), (c) => c.notNull())
    .addColumn('actor_ip', t.text(64), (c) => c.notNull())
    .addColumn('actor_ip_key', t.text(32), (c) => c.notNull())
    .addColumn('actor_type', t.text(16), (c) => c.notNull())
    .addColumn('interface', t.text(16), (c) => c.notNull())
    .addColumn('resource_id', t.text(64), (c) => c.notNull())
    .addColumn('resource_type', t.text(32), (c) => c.notNull())
    .addColumn('zone_name', t.text(253))
    .addColumn('metadata', t.text(), (c) => c.notNull())
    .addColumn('old_value', t.text())
    .addColumn('new_value', t.text())
    .execute();
  for (const [name, columns] of [
    ['audit_logs_owner_when', ['owner_id', 'when', 'seq']],
    ['audit_logs_owner_action', ['owner_id', 'action_type', 'when']],
    ['audit_logs_owner_actor_email', ['owner_id', 'actor_email', 'when']],
    ['audit_logs_owner_actor_ip', ['owner_id', 'actor_ip_key', 'when']],
    ['audit_logs_owner_zone', ['owner_id', 'zone_name', 'when']],
    ['audit_logs_owner_resource_type', ['owner_id', 'resource_type', 'when']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('audit_logs')
      .columns([...columns])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_logs', 'memberships', 'organizations', 'tokens', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
