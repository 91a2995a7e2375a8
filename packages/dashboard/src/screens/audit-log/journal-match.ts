import type { AuditLog, JournalEntry } from '@userflare/client';
import { apiPathOf } from '../../components/journal-curl';

interface Route {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The API path below `/client/v4` for the entry's resource id. */
  path: (resourceId: string) => string;
  /** The request carries a JSON body (which the journal does not keep). */
  body: boolean;
}

/**
 * The one API request that writes each kind of audit entry, keyed `<resource type> <action>` as the
 * server records them (tokens, users, invites, organizations and subscriptions services).
 */
const ROUTES: Record<string, Route> = {
  'token create': { method: 'POST', path: () => '/user/tokens', body: true },
  'token update': { method: 'PUT', path: (id) => `/user/tokens/${id}`, body: true },
  'token delete': { method: 'DELETE', path: (id) => `/user/tokens/${id}`, body: false },
  'token roll': { method: 'PUT', path: (id) => `/user/tokens/${id}/value`, body: false },
  'user update': { method: 'PATCH', path: () => '/user', body: true },
  'invite accept': { method: 'PATCH', path: (id) => `/user/invites/${id}`, body: true },
  'invite reject': { method: 'PATCH', path: (id) => `/user/invites/${id}`, body: true },
  'organization leave': { method: 'DELETE', path: (id) => `/user/organizations/${id}`, body: false },
  'subscription update': { method: 'PUT', path: (id) => `/user/subscriptions/${id}`, body: true },
  'subscription delete': { method: 'DELETE', path: (id) => `/user/subscriptions/${id}`, body: false },
};

/** The journal records a request when it is answered, after its audit entry committed. */
const MATCH_WINDOW_MS = 10_000;

/** The route that wrote this entry, when it came from the API (not the admin plane or Cloudflare). */
export function routeOf(entry: AuditLog): Route | undefined {
  if (entry.actor.type !== 'user') return undefined;
  return ROUTES[`${entry.resource.type} ${entry.action.type}`];
}

/** The methods whose journal entries may match some of `entries`. */
export function methodsOf(entries: readonly AuditLog[]): Route['method'][] {
  return [...new Set(entries.flatMap((entry) => routeOf(entry)?.method ?? []))];
}

/**
 * The journal entry of the request that wrote `entry`, or undefined. The rule:
 * - the entry's route (`ROUTES`) gives the method and the exact path, resource id included;
 * - the request succeeded (2xx) and was authenticated by the same token as the entry's actor
 *   (`metadata.token_id`, absent for the Global API key, where the journal's `token_id` is null);
 * - it was answered at or after the entry's time and within MATCH_WINDOW_MS of it (one clock
 *   stamps both; the journal's stamp is taken when the answer leaves);
 * - of those, the earliest. Two requests with the same method, path and token in flight at once could
 *   swap, but they would then be the same command.
 */
export function matchJournalEntry(
  entry: AuditLog,
  journal: readonly JournalEntry[],
): JournalEntry | undefined {
  const route = routeOf(entry);
  if (!route) return undefined;
  const path = route.path(entry.resource.id);
  const tokenId = typeof entry.metadata.token_id === 'string' ? entry.metadata.token_id : null;
  const when = Date.parse(entry.when);
  let best: JournalEntry | undefined;
  let bestTime = Number.POSITIVE_INFINITY;
  for (const request of journal) {
    if (request.method !== route.method || request.status < 200 || request.status > 299) continue;
    if (request.token_id !== tokenId || apiPathOf(request.path) !== path) continue;
    const time = Date.parse(request.time);
    if (time < when || time > when + MATCH_WINDOW_MS || time >= bestTime) continue;
    best = request;
    bestTime = time;
  }
  return best;
}
