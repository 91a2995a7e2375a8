import type { CompiledQuery } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { NewTokenRow, TokenRow, TokenRowUpdate } from './tokens.table.js';

export type TokenWithOwner = TokenRow & { owner_email: string };

/** The token a presented value hashes to, with its owner's email: authentication in one query. */
export async function findTokenWithOwnerByHash(
  db: Executor,
  valueHash: string,
): Promise<TokenWithOwner | undefined> {
  return db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .selectAll('tokens')
    .select('users.email as owner_email')
    .where('tokens.value_hash', '=', valueHash)
    .executeTakeFirst();
}

export async function findTokenByHash(db: Executor, valueHash: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('value_hash', '=', valueHash).executeTakeFirst();
}

export async function findTokenById(db: Executor, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTokenOfUser(
  db: Executor,
  userId: string,
  id: string,
): Promise<TokenRow | undefined> {
  return db
    .selectFrom('tokens')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export interface TokenListFilter {
  userId: string;
  /** Tokens whose `expires_on` is at or before this instant are left out. */
  expiredBy: string;
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export async function listTokensOfUser(db: Executor, filter: TokenListFilter): Promise<TokenRow[]> {
  return db
    .selectFrom('tokens')
    .selectAll()
    .where('user_id', '=', filter.userId)
    .where((eb) => eb.or([eb('expires_on', 'is', null), eb('expires_on', '>', filter.expiredBy)]))
    .orderBy('issued_on', filter.direction)
    .orderBy('id', filter.direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

export async function countTokensOfUser(db: Executor, userId: string): Promise<number> {
  const { count } = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function findNextExpiryAfter(
  db: Executor,
  userId: string,
  instant: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.min('expires_on').as('next'))
    .where('user_id', '=', userId)
    .where('expires_on', '>', instant)
    .executeTakeFirst();
  return row?.next ?? undefined;
}

export async function countTokensExpiredBy(db: Executor, userId: string, instant: string): Promise<number> {
  const { count } = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('user_id', '=', userId)
    .where('expires_on', '<=', instant)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function insertToken(db: Executor, row: NewTokenRow): Promise<void> {
  await db.executeQuery(insertTokenStatement(db, row));
}

export function insertTokenStatement(db: Executor, row: NewTokenRow): CompiledQuery {
  return db.insertInto('tokens').values(row).compile();
}

export async function updateToken(db: Executor, id: string, changes: TokenRowUpdate): Promise<void> {
  await db.updateTable('tokens').set(changes).where('id', '=', id).execute();
}

/**
 * Replaces a token's value hash, only while it is still `from`: of concurrent requests re-hashing the
 * same token (on any replica), one writes and the others change nothing. Whether this one wrote.
 */
export async function replaceTokenValueHash(
  db: Executor,
  id: string,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await db
    .updateTable('tokens')
    .set({ value_hash: to })
    .where('id', '=', id)
    .where('value_hash', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteToken(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('tokens').where('id', '=', id).execute();
}

/** Writes coalesced `last_used_on` times; a token deleted meanwhile is simply skipped. */
export async function updateTokensLastUsed(db: Executor, lastUsed: Map<string, string>): Promise<void> {
  for (const [id, when] of lastUsed) {
    await db.updateTable('tokens').set({ last_used_on: when }).where('id', '=', id).execute();
  }
}
