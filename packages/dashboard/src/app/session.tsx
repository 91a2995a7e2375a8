import type { Userflare, UserflareAdmin } from '@userflare/client';
import type { DashboardCapability, DashboardSession } from '@userflare/contract';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { createAdminClient, createApiClient, fetchSession } from './api';

interface SessionState {
  /** undefined while the first check runs; null when nobody is signed in. */
  session: DashboardSession | null | undefined;
  /** The error of the first check, when the server could not answer it. */
  error: unknown;
  /** Asks the server again, e.g. after signing in or when the proxy says the session ended. */
  refresh: () => Promise<DashboardSession | null>;
  /** Replaces the session with one the server just answered (sign-in, emulator unlock). */
  setSession: (session: DashboardSession | null) => void;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<DashboardSession | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const refresh = useCallback(async () => {
    try {
      const current = await fetchSession();
      setSession(current);
      setError(undefined);
      return current;
    } catch (caught) {
      setError(caught);
      setSession(null);
      return null;
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const value = useMemo(() => ({ session, error, refresh, setSession }), [session, error, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState outside SessionProvider');
  return state;
}

/** The signed-in session; only for screens rendered behind the sign-in guard. */
export function useSession(): DashboardSession {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession without a session');
  return session;
}

/** The SDK through the dashboard's proxy, for the signed-in session. */
export function useApiClient(): Userflare {
  const session = useSession();
  return useMemo(() => createApiClient(session), [session]);
}

/** The admin-plane SDK through the proxy; calls fail with 401 until the emulator is unlocked. */
export function useAdminClient(): UserflareAdmin {
  const session = useSession();
  return useMemo(() => createAdminClient(session), [session]);
}

const ALLOWED: DashboardCapability = { allowed: true };

/**
 * Whether the session's credential may call `"<METHOD> <route pattern>"`, e.g.
 * `useCapability('POST /client/v4/user/tokens')`. Controls it may not use are disabled, with `reason`
 * shown (issue 13). Routes the server did not list (no permission needed) are allowed.
 */
export function useCapability(route: string): DashboardCapability {
  const session = useSession();
  return session.capabilities[route] ?? ALLOWED;
}
