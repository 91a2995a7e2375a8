/** A dashboard session as the server uses it: what its cookie stands for (issue 13). */
export interface DashboardSessionState {
  /** Keyed hash of the cookie's session id: the row's key. */
  idHash: string;
  /** The signed-in user; null when the session was unlocked with the admin key only. */
  userId: string | null;
  kind: 'token' | 'global_key' | null;
  tokenId: string | null;
  /** The token's value hash, or the user's `api_key_hash`, at sign-in. */
  credentialHash: string | null;
  /** The admin key was given: the proxied admin plane is open. */
  emulator: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** What a request under `<prefix>/dashboard/api/` carries instead of credential headers. */
export interface DashboardRequest {
  /** `''` at the root, `/ns/<id>` in a namespace. */
  prefix: string;
  /** The session its cookie names, when that session is live; null otherwise. */
  session: DashboardSessionState | null;
  /** Deletes the session: its credential was rolled, disabled, deleted or has expired. */
  endSession(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every request under `<prefix>/dashboard/api/`: its credential is its session, never its headers. */
    dashboard: DashboardRequest | null;
  }
}
