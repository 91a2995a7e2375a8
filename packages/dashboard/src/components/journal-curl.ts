import type { JournalEntry } from '@userflare/client';
import { curlCommand } from './CurlSnippet';

/**
 * A journal path under the API root: `/dashboard/api/client/v4/user` (sent by this dashboard's proxy)
 * and `/client/v4/user` are both `/user`; a request sent at the root keeps its path.
 */
export function apiPathOf(journalPath: string): string {
  const at = journalPath.indexOf('/client/v4/');
  return at === -1 ? journalPath : journalPath.slice(at + '/client/v4'.length);
}

/**
 * A journal entry as a `curl` command against this server's API (`session.server_url`). The journal
 * keeps no headers or bodies, and the dashboard never holds a credential: the command names the
 * environment variables Cloudflare's tools read, in double quotes so the shell expands them, and reads
 * a body from `body.json` when `withBody`.
 */
export function journalCurl(entry: JournalEntry, serverUrl: string, withBody = false): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(entry.query))
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  const query = search.size > 0 ? `?${search}` : '';
  const command = curlCommand({
    method: entry.method,
    url: `${serverUrl.replace(/\/+$/, '')}${apiPathOf(entry.path)}${query}`,
    ...(withBody ? { headers: { 'Content-Type': 'application/json' }, body: '@body.json' } : {}),
  });
  const kind = entry.denial?.credential.kind ?? (entry.token_id ? 'token' : 'unknown');
  if (kind === 'none') return command;
  if (kind === 'global_key')
    return `${command} -H "X-Auth-Email: $CLOUDFLARE_EMAIL" -H "X-Auth-Key: $CLOUDFLARE_API_KEY"`;
  return `${command} -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"`;
}
