import type { JournalEntry, JournalQuery } from '@userflare/client';
import { formatTable, printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import {
  ADMIN_OPTIONS_HELP,
  adminTarget,
  NAMESPACE_OPTION,
  NAMESPACE_OPTION_HELP,
  parseAdminArgs,
  withAdmin,
} from './admin-client.js';
import { parseWholeNumber } from './numbers.js';

export const JOURNAL_HELP = `Usage: userflare journal [filters] [options]
       userflare journal --clear [options]

Lists the API requests a running server answered, newest first: status, token, how long it took,
and why a request was refused (or would have been, in report mode) or which fault answered it.

Filters:
  --method <method>     only this method, e.g. GET
  --path <pattern>      only paths matching; * matches any run of characters, e.g. '/client/v4/user/tokens*'
  --status <status>     only this status, e.g. 403
  --token-id <id>       only requests authenticated by this token
  --limit <n>           at most n entries (default 50)

Options:
  --clear               empty the journal instead of listing it
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}
`;

const DEFAULT_LIMIT = 50;

/** `userflare journal`: `GET` and `DELETE /__userflare/journal`. */
export async function journal(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('journal', args, {
    ...NAMESPACE_OPTION,
    method: { type: 'string' },
    path: { type: 'string' },
    status: { type: 'string' },
    'token-id': { type: 'string' },
    limit: { type: 'string' },
    clear: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(JOURNAL_HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `journal takes no arguments, got "${positionals.join(' ')}"; filter with --method, --path, --status or --token-id`,
    );
  const filters = ['method', 'path', 'status', 'token-id', 'limit'] as const;
  if (values.clear) {
    const given = filters.filter((name) => values[name] !== undefined);
    if (given.length > 0)
      throw new UsageError(`--clear empties the whole journal: drop --${given.join(', --')}`);
    const { cleared } = await withAdmin(adminTarget(values), values.namespace, (admin) =>
      admin.journal.clear(),
    );
    if (values.json) printJson({ cleared });
    else printLines(`cleared ${cleared} journal ${cleared === 1 ? 'entry' : 'entries'}`);
    return;
  }
  const query: JournalQuery = {
    limit: values.limit === undefined ? DEFAULT_LIMIT : parseWholeNumber('--limit', values.limit),
  };
  if (values.method !== undefined) query.method = values.method.toUpperCase();
  if (values.path !== undefined) query.path = values.path;
  if (values.status !== undefined) query.status = parseWholeNumber('--status', values.status);
  if (values['token-id'] !== undefined) query.token_id = values['token-id'];
  const entries = await withAdmin(adminTarget(values), values.namespace, (admin) =>
    admin.journal.list(query),
  );
  if (values.json) {
    printJson(entries);
    return;
  }
  if (entries.length === 0) {
    printLines('no requests recorded');
    return;
  }
  process.stdout.write(
    formatTable(
      ['TIME', 'METHOD', 'STATUS', 'PATH', 'TOKEN', 'MS', 'NOTE'],
      entries.map((entry) => [
        entry.time,
        entry.method,
        String(entry.status),
        entry.path,
        entry.token_id ?? undefined,
        String(Math.round(entry.duration_ms)),
        describeNote(entry),
      ]),
    ),
  );
}

/** Why the entry stands out: a denial (enforced or only reported) or the fault that answered it. */
function describeNote(entry: JournalEntry): string | undefined {
  const notes: string[] = [];
  if (entry.denial)
    notes.push(`${entry.denial.reported_only ? 'reported' : 'denied'}: ${entry.denial.reason}`);
  if (entry.fault_id) notes.push(`fault ${entry.fault_id}`);
  return notes.join('; ') || undefined;
}
