import type { EditUser, User } from '@userflare/contract';
import type { ServerContext } from '../../context.js';
import { classifyStoreError } from '../../db/store-errors.js';
import { listOrganizationsOfUser } from '../accounts/accounts.service.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { replaceDashboardCredentialHash } from '../dashboard/dashboard-sessions.repository.js';
import { listActiveZoneTiers } from '../subscriptions/subscriptions.repository.js';
import { findUserByEmail, findUserById, replaceUserApiKeyHash, updateUser } from './users.repository.js';
import type { UserRow } from './users.table.js';

const EDITABLE_FIELDS = ['country', 'first_name', 'last_name', 'telephone', 'zipcode'] as const;

/** The profile fields an audit entry shows; never the key hash. */
function profileOf(row: UserRow) {
  return Object.fromEntries(EDITABLE_FIELDS.map((field) => [field, row[field]]));
}

async function toUser(ctx: ServerContext, row: UserRow): Promise<User> {
  const [{ organizations, twoFactorEnforced }, tiers] = await Promise.all([
    listOrganizationsOfUser(ctx.db, row.id),
    listActiveZoneTiers(ctx.db, row.id),
  ]);
  return {
    id: row.id,
    email: row.email,
    betas: JSON.parse(row.betas) as string[],
    country: row.country,
    first_name: row.first_name,
    last_name: row.last_name,
    telephone: row.telephone,
    zipcode: row.zipcode,
    has_business_zones: tiers.includes('business'),
    has_enterprise_zones: tiers.includes('enterprise'),
    has_pro_zones: tiers.includes('pro'),
    organizations,
    suspended: row.suspended === 1,
    two_factor_authentication_enabled: row.two_factor_authentication_enabled === 1,
    two_factor_authentication_locked: twoFactorEnforced,
  };
}

async function loadUser(ctx: ServerContext, userId: string): Promise<UserRow> {
  const row = await findUserById(ctx.db, userId);
  // The caller authenticated as this user a moment ago: a missing row is a server fault.
  if (!row) throw new Error(`authenticated user ${userId} has no row`);
  return row;
}

export async function getUser(ctx: ServerContext, userId: string): Promise<User> {
  return toUser(ctx, await loadUser(ctx, userId));
}

/** `PATCH /user`: only the fields sent change (REFERENCE §2.2); the change and its audit entry commit together. */
export async function editUser(ctx: ServerContext, actor: Actor, changes: EditUser): Promise<User> {
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const before = await findUserById(trx, actor.userId);
    if (!before) throw new Error(`authenticated user ${actor.userId} has no row`);
    const set: Partial<Record<(typeof EDITABLE_FIELDS)[number], string | null>> = {};
    for (const field of EDITABLE_FIELDS) {
      if (changes[field] !== undefined && changes[field] !== before[field]) set[field] = changes[field];
    }
    // Nothing changes: no write, no audit entry.
    if (Object.keys(set).length === 0) return before;
    const after: UserRow = { ...before, ...set, modified_on: ctx.clock.now().toISOString() };
    await updateUser(trx, actor.userId, { ...set, modified_on: after.modified_on });
    await recordAuditLog(trx, ctx.clock, actor, {
      ownerId: actor.userId,
      action: 'update',
      resource: { id: actor.userId, type: 'user' },
      oldValue: profileOf(before),
      newValue: profileOf(after),
    });
    return after;
  });
  return toUser(ctx, updated);
}

/** Compared with when the email is unknown: no key hashes to it. */
const NO_KEY_HASH = '0'.repeat(64);

/**
 * The user whose global API key this is, compared in constant time against its keyed hash. A key
 * hashed under a USERFLARE_SECRET_PREVIOUS secret matches too, and is re-hashed under the current one
 * (with the dashboard sessions signed in with it), so its next use matches at once.
 */
export async function authenticateGlobalKey(
  ctx: ServerContext,
  email: string,
  key: string,
): Promise<UserRow | undefined> {
  const row = await ctx.reads.read(`user-by-email:${email}`, () => findUserByEmail(ctx.db, email), {
    tables: ['users'],
    rowsByKey: true,
  });
  // Hash even when the email is unknown, so the answer takes the same time either way.
  const match = ctx.keyring.matchOf(key, row?.api_key_hash ?? NO_KEY_HASH);
  if (!row || row.api_key_hash === null || match === undefined) return undefined;
  if (match === 'current') return row;
  const hash = ctx.keyring.hash(key);
  await rehashApiKey(ctx, row, row.api_key_hash, hash);
  return { ...row, api_key_hash: hash };
}

async function rehashApiKey(ctx: ServerContext, row: UserRow, from: string, to: string): Promise<void> {
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (await replaceUserApiKeyHash(trx, row.id, from, to)) {
        await replaceDashboardCredentialHash(trx, row.id, from, to);
      }
    });
  } catch (error) {
    // Another user's key hashes the same under the current secret (one key given to two users): left as it is.
    if (classifyStoreError(error) !== 'unique-violation') throw error;
  }
}
