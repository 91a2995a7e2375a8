import type { Kysely } from 'kysely';

/**
 * The token list counts a user's tokens as all of them less those expired by the cut-off: this index
 * makes the second part a range over expired tokens only, however many tokens the user has.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('tokens_user_expires')
    .on('tokens')
    .columns(['user_id', 'expires_on'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tokens_user_expires').execute();
}
