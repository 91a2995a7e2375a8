import type { Executor } from '../../db/database.js';
import type {
  DashboardSessionRow,
  DashboardSessionRowUpdate,
  NewDashboardSessionRow,
} from './dashboard-sessions.table.js';

export async function findDashboardSessionByIdHash(
  db: Executor,
  idHash: string,
): Promise<DashboardSessionRow | undefined> {
  return db.selectFrom('dashboard_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function insertDashboardSession(db: Executor, row: NewDashboardSessionRow): Promise<void> {
  await db.insertInto('dashboard_sessions').values(row).execute();
}

export async function updateDashboardSession(
  db: Executor,
  idHash: string,
  changes: DashboardSessionRowUpdate,
): Promise<void> {
  await db.updateTable('dashboard_sessions').set(changes).where('id_hash', '=', idHash).execute();
}

/** Deletes the session; whether there was one. */
export async function deleteDashboardSession(db: Executor, idHash: string): Promise<boolean> {
  const result = await db.deleteFrom('dashboard_sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes the sessions past their absolute expiry, or idle since before `idleBefore`. */
export async function deleteExpiredDashboardSessions(
  db: Executor,
  now: string,
  idleBefore: string,
): Promise<void> {
  await db
    .deleteFrom('dashboard_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .execute();
}

/**
 * Moves the sessions signed in with a credential to its new hash, after the credential was re-hashed
 * under the current USERFLARE_SECRET: the same credential, so its sessions go on.
 */
export async function replaceDashboardCredentialHash(
  db: Executor,
  userId: string,
  from: string,
  to: string,
): Promise<void> {
  await db
    .updateTable('dashboard_sessions')
    .set({ credential_hash: to })
    .where('user_id', '=', userId)
    .where('credential_hash', '=', from)
    .execute();
}
