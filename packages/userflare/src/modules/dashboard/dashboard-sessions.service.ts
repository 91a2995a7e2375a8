import { randomBytes } from 'node:crypto';
import type { DashboardCredential, DashboardSession } from '@userflare/contract';
import { type Clock, formatTimestamp } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import type { AuthContext, DashboardAccess } from '../../http/authenticate.js';
import { type Actor, recordAuditLog } from '../audit-logs/audit-logs.service.js';
import { tokenStatus } from '../tokens/tokens.service.js';
import { findUserById } from '../users/users.repository.js';
import type { DashboardSessionState } from './dashboard-request.js';
import {
  deleteDashboardSession,
  deleteExpiredDashboardSessions,
  findDashboardSessionByIdHash,
  insertDashboardSession,
  updateDashboardSession,
} from './dashboard-sessions.repository.js';
import type { DashboardSessionRow } from './dashboard-sessions.table.js';

/** The session cookie: HttpOnly, SameSite=Strict, on `<prefix>/dashboard` only. */
export const SESSION_COOKIE = 'userflare_session';
/** A session unused this long ends. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** A session ends this long after sign-in, used or not. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often per session: a busy screen is not a write per request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

function toState(row: DashboardSessionRow): DashboardSessionState {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    kind: row.kind,
    tokenId: row.token_id,
    credentialHash: row.credential_hash,
    emulator: row.emulator === 1,
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
    expiresAt: new Date(row.expires_at),
  };
}

function idleEnd(session: DashboardSessionState): Date {
  return new Date(Math.min(session.lastSeenAt.getTime() + SESSION_IDLE_MS, session.expiresAt.getTime()));
}

/** A session as created, and the cookie value that names it (shown to the browser only). */
export interface IssuedSession {
  id: string;
  session: DashboardSessionState;
}

/**
 * Dashboard sessions, kept in the store (issue 13). Their idle and absolute expiry run on the wall
 * clock, never the emulator's: a test that moves the emulated clock ahead to expire its tokens must not
 * be signed out of the dashboard it is watching them in. Audit entries keep the emulated time, as every
 * other entry does.
 */
export class DashboardSessions {
  constructor(
    private readonly ctx: ServerContext,
    private readonly clock: Clock,
  ) {}

  /** A new session id: 32 random bytes, base64url. Only its keyed hash is stored. */
  #newId(): { id: string; idHash: string } {
    const id = randomBytes(32).toString('base64url');
    return { id, idHash: this.ctx.keyring.hash(id) };
  }

  /** The live session a cookie names; an expired one is deleted on the way. */
  async load(id: string | undefined): Promise<DashboardSessionState | null> {
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const idHash = this.ctx.keyring.hash(id);
    const row =
      (await findDashboardSessionByIdHash(this.ctx.db, idHash)) ??
      (this.ctx.keyring.hasPreviousSecrets ? await this.#findUnderPreviousSecret(id, idHash) : undefined);
    if (!row) return null;
    const session = toState(row);
    const now = this.clock.now();
    if (now >= idleEnd(session)) {
      await deleteDashboardSession(this.ctx.db, idHash);
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await updateDashboardSession(this.ctx.db, idHash, { last_seen_at: now.toISOString() });
      session.lastSeenAt = now;
    }
    return session;
  }

  /**
   * A session whose id was hashed under a USERFLARE_SECRET_PREVIOUS secret, re-hashed under the
   * current one so the cookie goes on working.
   */
  async #findUnderPreviousSecret(id: string, idHash: string): Promise<DashboardSessionRow | undefined> {
    for (const previous of this.ctx.keyring.previousHashes(id)) {
      const row = await findDashboardSessionByIdHash(this.ctx.db, previous);
      if (!row) continue;
      await updateDashboardSession(this.ctx.db, previous, { id_hash: idHash });
      return { ...row, id_hash: idHash };
    }
    // A concurrent request may have re-hashed it since the first lookup.
    return findDashboardSessionByIdHash(this.ctx.db, idHash);
  }

  /**
   * Signs in: the session the browser had is deleted (a new id every time, so a planted cookie is
   * worth nothing), keeping its emulator unlock; the new session and the `login` audit entry commit
   * together.
   */
  async signIn(
    previous: DashboardSessionState | null,
    auth: AuthContext,
    credentialHash: string,
    actor: Actor,
  ): Promise<IssuedSession> {
    const { id, idHash } = this.#newId();
    const now = this.clock.now();
    const credential = auth.credential;
    const session: DashboardSessionState = {
      idHash,
      userId: auth.userId,
      kind: credential.kind,
      tokenId: credential.kind === 'token' ? credential.token.id : null,
      credentialHash,
      emulator: previous?.emulator ?? false,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
    };
    await this.ctx.db.transaction().execute(async (trx) => {
      if (previous) await deleteDashboardSession(trx, previous.idHash);
      await deleteExpiredDashboardSessions(
        trx,
        now.toISOString(),
        new Date(now.getTime() - SESSION_IDLE_MS).toISOString(),
      );
      await insertDashboardSession(trx, toRow(session));
      await recordAuditLog(trx, this.ctx.clock, actor, {
        ownerId: auth.userId,
        action: 'login',
        resource: { id: auth.userId, type: 'user' },
        metadata: { via: 'dashboard', credential: credential.kind },
      });
    });
    return { id, session };
  }

  /** Signs out: the session is deleted, with a `logout` audit entry when it had a user who still exists. */
  async signOut(session: DashboardSessionState, ip: string): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      const deleted = await deleteDashboardSession(trx, session.idHash);
      if (!deleted || session.userId === null) return;
      const user = await findUserById(trx, session.userId);
      if (!user) return;
      const actor: Actor = {
        userId: user.id,
        email: user.email,
        ip,
        type: 'user',
        interface: 'UI',
        ...(session.tokenId ? { tokenId: session.tokenId } : {}),
      };
      await recordAuditLog(trx, this.ctx.clock, actor, {
        ownerId: user.id,
        action: 'logout',
        resource: { id: user.id, type: 'user' },
        metadata: { via: 'dashboard', credential: session.kind },
      });
    });
  }

  /**
   * Opens the emulator controls on the browser's session, under a new id (its privileges grow), or on
   * a new session of its own when there is none.
   */
  async unlockEmulator(previous: DashboardSessionState | null): Promise<IssuedSession> {
    const { id, idHash } = this.#newId();
    const now = this.clock.now();
    if (previous) {
      await updateDashboardSession(this.ctx.db, previous.idHash, {
        id_hash: idHash,
        emulator: 1,
        last_seen_at: now.toISOString(),
      });
      return { id, session: { ...previous, idHash, emulator: true, lastSeenAt: now } };
    }
    await deleteExpiredDashboardSessions(
      this.ctx.db,
      now.toISOString(),
      new Date(now.getTime() - SESSION_IDLE_MS).toISOString(),
    );
    const session: DashboardSessionState = {
      idHash,
      userId: null,
      kind: null,
      tokenId: null,
      credentialHash: null,
      emulator: true,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
    };
    await insertDashboardSession(this.ctx.db, toRow(session));
    return { id, session };
  }

  /** Closes the emulator controls; a session that had nothing else ends. Returns what is left. */
  async lockEmulator(session: DashboardSessionState): Promise<DashboardSessionState | null> {
    if (session.userId === null) {
      await deleteDashboardSession(this.ctx.db, session.idHash);
      return null;
    }
    await updateDashboardSession(this.ctx.db, session.idHash, { emulator: 0 });
    return { ...session, emulator: false };
  }

  /** Ends a session whose credential is gone. */
  async end(idHash: string): Promise<void> {
    await deleteDashboardSession(this.ctx.db, idHash);
  }

  /** The session as `GET /dashboard/api/session` shows it. */
  view(
    session: DashboardSessionState,
    access: Pick<DashboardAccess, 'auth' | 'capabilities'> | undefined,
    place: { prefix: string; origin: string; emulatorAvailable: boolean },
  ): DashboardSession {
    const { prefix } = place;
    return {
      user: access ? { id: access.auth.userId, email: access.auth.email } : null,
      credential: access ? this.#credentialOf(access.auth) : null,
      emulator: session.emulator,
      emulator_available: place.emulatorAvailable,
      api_base: `${prefix}/dashboard/api/client/v4`,
      admin_base: `${prefix}/dashboard/api/__userflare`,
      server_url: `${place.origin}${prefix}/client/v4`,
      capabilities: access?.capabilities ?? {},
      idle_expires_on: formatTimestamp(idleEnd(session)),
      expires_on: formatTimestamp(session.expiresAt),
    };
  }

  #credentialOf(auth: AuthContext): DashboardCredential {
    const { credential } = auth;
    if (credential.kind === 'global_key') return { kind: 'global_key' };
    const { token, policies } = credential;
    return {
      kind: 'token',
      token: {
        id: token.id,
        name: token.name,
        status: tokenStatus(token, this.ctx.clock.now()),
        policies,
        ...(token.expires_on ? { expires_on: formatTimestamp(new Date(token.expires_on)) } : {}),
      },
    };
  }
}

function toRow(session: DashboardSessionState): DashboardSessionRow {
  return {
    id_hash: session.idHash,
    user_id: session.userId,
    kind: session.kind,
    token_id: session.tokenId,
    credential_hash: session.credentialHash,
    emulator: session.emulator ? 1 : 0,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
  };
}
