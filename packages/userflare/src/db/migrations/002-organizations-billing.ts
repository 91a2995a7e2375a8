import type { Kysely } from 'kysely';
import type { ColumnTypes } from '../column-types.js';

export async function up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable('invites')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('organization_id', t.text(32), (c) =>
      c.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('invited_member_id', t.text(32), (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('invited_member_email', t.text(90), (c) => c.notNull())
    .addColumn('invited_by', t.text(90), (c) => c.notNull())
    .addColumn('roles', t.text(), (c) => c.notNull())
    .addColumn('status', t.text(16), (c) => c.notNull())
    .addColumn('invited_on', t.text(40), (c) => c.notNull())
    .addColumn('expires_on', t.text(40), (c) => c.notNull())
    .addColumn('responded_on', t.text(40))
    .execute();
  await db.schema
    .createIndex('invites_member')
    .on('invites')
    .columns(['invited_member_id', 'invited_on'])
    .execute();
  await db.schema
    .createIndex('invites_email')
    .on('invites')
    .columns(['invited_member_email', 'invited_on'])
    .execute();

  await db.schema
    .createTable('rate_plans')
    .addColumn('id', t.text(64), (c) => c.primaryKey())
    .addColumn('public_name', t.text(100), (c) => c.notNull())
    .addColumn('currency', t.text(8), (c) => c.notNull())
    .addColumn('scope', t.text(32), (c) => c.notNull())
    .addColumn('externally_managed', 'integer', (c) => c.notNull())
    .addColumn('is_contract', 'integer', (c) => c.notNull())
    .addColumn('sets', t.text(), (c) => c.notNull())
    .addColumn('tier', t.text(16), (c) => c.notNull())
    .addColumn('prices', t.text(), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('user_id', t.text(32), (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('rate_plan_id', t.text(64), (c) => c.notNull().references('rate_plans.id'))
    .addColumn('frequency', t.text(16), (c) => c.notNull())
    .addColumn('state', t.text(20), (c) => c.notNull())
    .addColumn('price', 'double precision', (c) => c.notNull())
    .addColumn('currency', t.text(8), (c) => c.notNull())
    .addColumn('current_period_start', t.text(40), (c) => c.notNull())
    .addColumn('current_period_end', t.text(40), (c) => c.notNull())
    .addColumn('zone_id', t.text(32))
    .addColumn('zone_name', t.text(253))
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscriptions_user')
    .on('subscriptions')
    .columns(['user_id', 'created_on', 'id'])
    .execute();

  await db.schema
    .createTable('billing_history')
    .addColumn('id', t.text(32), (c) => c.primaryKey())
    .addColumn('user_id', t.text(32), (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('action', t.text(30), (c) => c.notNull())
    .addColumn('type', t.text(30), (c) => c.notNull())
    .addColumn('amount', 'double precision', (c) => c.notNull())
    .addColumn('currency', t.text(8), (c) => c.notNull())
    .addColumn('description', t.text(255), (c) => c.notNull())
    .addColumn('occurred_at', t.text(40), (c) => c.notNull())
    .addColumn('zone_name', t.text(253))
    .execute();
  for (const [name, columns] of [
    ['billing_history_user_occurred', ['user_id', 'occurred_at', 'id']],
    ['billing_history_user_action', ['user_id', 'action', 'occurred_at']],
    ['billing_history_user_type', ['user_id', 'type', 'occurred_at']],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('billing_history')
      .columns([...columns])
      .execute();
  }

  await db.schema
    .createTable('billing_profiles')
    .addColumn('user_id', t.text(32), (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('id', t.text(32), (c) => c.notNull())
    .addColumn('fields', t.text(), (c) => c.notNull())
    .addColumn('created_on', t.text(40), (c) => c.notNull())
    .addColumn('edited_on', t.text(40), (c) => c.notNull())
    .execute();

  await db.schema
    .createIndex('memberships_organization')
    .on('memberships')
    .columns(['organization_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('memberships_organization').execute();
  for (const table of ['billing_profiles', 'billing_history', 'subscriptions', 'rate_plans', 'invites']) {
    await db.schema.dropTable(table).execute();
  }
}
