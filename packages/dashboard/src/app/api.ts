import { APIError, Userflare, UserflareAdmin } from '@userflare/client';
import type { CreateDashboardSession, DashboardSession } from '@userflare/contract';
import { BASE_PATH } from './base-path';

/**
 * Every unsafe request the dashboard sends carries this header; with the Origin check it is the
 * server's CSRF defence (issue 13): a cross-site form cannot set it.
 */
export const DASHBOARD_HEADERS = { 'x-userflare-dashboard': '1' } as const;

/** Thrown by the session routes: Cloudflare's error items, as the API answers them. */
export class SessionError extends Error {
  constructor(
    readonly status: number,
    readonly errors: { code: number; message: string }[],
  ) {
    super(errors.map((error) => `${error.message} (${error.code})`).join('; ') || `HTTP ${status}`);
  }
}

async function sessionRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${BASE_PATH}/api/session${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      ...DASHBOARD_HEADERS,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const envelope = (await response.json().catch(() => ({}))) as {
    result?: T;
    errors?: { code: number; message: string }[];
  };
  if (!response.ok) throw new SessionError(response.status, envelope.errors ?? []);
  return envelope.result as T;
}

/** The signed-in session, or null when there is none. */
export async function fetchSession(): Promise<DashboardSession | null> {
  try {
    return await sessionRequest<DashboardSession>('GET', '');
  } catch (error) {
    if (error instanceof SessionError && error.status === 401) return null;
    throw error;
  }
}

export const signIn = (credential: CreateDashboardSession) =>
  sessionRequest<DashboardSession>('POST', '', credential);
export const signOut = () => sessionRequest<unknown>('DELETE', '');
export const unlockEmulator = (adminKey: string) =>
  sessionRequest<DashboardSession>('POST', '/emulator', { admin_key: adminKey });
/** Locks the Emulator pages again; null when the session was only the emulator's, which then ends. */
export const lockEmulator = () => sessionRequest<DashboardSession | null>('DELETE', '/emulator');

/**
 * The SDK, pointed at the same-origin proxy: no credential in the browser, the session cookie is the
 * credential and the server attaches the real one. No retries: a person is waiting and sees the error.
 */
export function createApiClient(session: DashboardSession): Userflare {
  return new Userflare({
    baseURL: `${location.origin}${session.api_base}`,
    apiToken: null,
    apiEmail: null,
    apiKey: null,
    maxRetries: 0,
    defaultHeaders: DASHBOARD_HEADERS,
  });
}

/** The admin-plane SDK through the proxy; the session's emulator unlock stands in for the admin key. */
export function createAdminClient(session: DashboardSession): UserflareAdmin {
  return new UserflareAdmin({
    baseURL: `${location.origin}${session.admin_base.replace(/\/__userflare$/, '')}`,
    // Required by the SDK; the proxy ignores X-Admin-Key and checks the session instead.
    adminKey: 'dashboard-session',
    maxRetries: 0,
    defaultHeaders: DASHBOARD_HEADERS,
  });
}

/** Cloudflare's error items of a failed call, whatever threw it. */
export function errorItemsOf(error: unknown): { code: number; message: string }[] {
  if (error instanceof APIError) return error.errors.map(({ code, message }) => ({ code, message }));
  if (error instanceof SessionError) return error.errors;
  return [];
}

/** The emulator's explanation of a refusal (`userflare-denial`), when the answer carried one. */
export function denialOf(error: unknown): { reason: string; message: string } | undefined {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const header = error.headers.get('userflare-denial');
  if (!header) return undefined;
  try {
    const denial = JSON.parse(header) as { reason: string; message: string };
    return { reason: denial.reason, message: denial.message };
  } catch {
    return undefined;
  }
}

/** HTTP status of a failed call, when there was an answer. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof APIError) return error.status;
  if (error instanceof SessionError) return error.status;
  return undefined;
}
