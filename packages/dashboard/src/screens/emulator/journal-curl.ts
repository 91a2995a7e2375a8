import type { JournalEntry } from '@userflare/client';
import { curlCommand } from '../../components/CurlSnippet';

const DASHBOARD_PROXY = /\/dashboard\/api(?=\/client\/v4\/)/;

/** Whether the dashboard's own proxy sent the request (with a session cookie, not a credential). */
export function viaDashboard(path: string): boolean {
  return DASHBOARD_PROXY.test(path);
}

/** The API path a client outside the browser sends: the dashboard proxy's prefix taken off. */
function apiPathOf(path: string): string {
  return path.replace(DASHBOARD_PROXY, '');
}

/**
 * A journal entry as a `curl` command against this server. The journal keeps no headers, and the
 * dashboard never has a credential to put there anyway: the command names the environment variable
 * Cloudflare's tools read, in double quotes so the shell expands it.
 */
export function journalCurl(entry: JournalEntry, serverUrl: string): string {
  const url = new URL(apiPathOf(entry.path), new URL(serverUrl).origin);
  for (const [key, value] of Object.entries(entry.query))
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item);
  const command = curlCommand({ method: entry.method, url: url.toString() });
  const kind = entry.denial?.credential.kind ?? (entry.token_id ? 'token' : 'unknown');
  if (kind === 'none') return command;
  if (kind === 'global_key')
    return `${command} -H "X-Auth-Email: $CLOUDFLARE_EMAIL" -H "X-Auth-Key: $CLOUDFLARE_API_KEY"`;
  return `${command} -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"`;
}
