import type { Executor } from '../../db/database.js';
import type { NewUserRow, UserRow, UserRowUpdate } from './users.table.js';

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  // Emails are stored lowercased: Cloudflare logins are case-insensitive.
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function insertUser(db: Executor, row: NewUserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(db: Executor, id: string, changes: UserRowUpdate): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/**
 * Replaces a user's global API key hash, only while it is still `from`: of concurrent requests
 * re-hashing the same key (on any replica), one writes and the others change nothing. Whether this one
 * wrote.
 */
export async function replaceUserApiKeyHash(
  db: Executor,
  id: string,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ api_key_hash: to })
    .where('id', '=', id)
    .where('api_key_hash', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
