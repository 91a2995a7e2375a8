import type { CreateFault, Fault } from '@userflare/client';
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
import { parseDecimal, parseWholeNumber } from './numbers.js';

export const FAULTS_HELP = `Usage: userflare faults [list|add|clear|delete <id>] [options]

Makes a running server answer matching API requests with an error or a delay instead of calling the
route, to test a client's retries and timeouts.

Subcommands:
  list           the active faults and how often each has fired (default)
  add            add a fault (options below)
  clear          remove every fault
  delete <id>    remove one fault

Options of add:
  --path <pattern>       the API path, with or without /client/v4; * matches any run of characters (required)
  --method <method>      only this method, e.g. GET (default: any)
  --status <status>      answer 429, 500, 502, 503 or 504 instead of calling the route
  --retry-after <s>      the retry-after header of a 429 or 503, in seconds (default 1)
  --delay-ms <ms>        wait this long first; without --status the route then answers as usual
  --times <n>            fire n times, then retire (default: until removed)
  --probability <p>      fire on this share of matching requests, 0 to 1 (default 1)

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}

Example:
  userflare faults add --method GET --path '/user/tokens*' --status 429 --retry-after 2 --times 1
`;

const ADD_OPTIONS = {
  path: { type: 'string' },
  method: { type: 'string' },
  status: { type: 'string' },
  'retry-after': { type: 'string' },
  'delay-ms': { type: 'string' },
  times: { type: 'string' },
  probability: { type: 'string' },
} as const;

/** `userflare faults`: `/__userflare/faults`. */
export async function faults(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('faults', args, { ...NAMESPACE_OPTION, ...ADD_OPTIONS });
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(FAULTS_HELP);
    return;
  }
  const [subcommand = 'list', ...operands] = positionals;
  const addFlags = Object.keys(ADD_OPTIONS).filter(
    (name) => values[name as keyof typeof ADD_OPTIONS] !== undefined,
  );
  if (subcommand !== 'add' && addFlags.length > 0)
    throw new UsageError(
      `--${addFlags.join(', --')} ${addFlags.length === 1 ? 'goes' : 'go'} only with \`userflare faults add\``,
    );
  if (subcommand !== 'delete' && operands.length > 0)
    throw new UsageError(`faults ${subcommand} takes no arguments, got "${operands.join(' ')}"`);
  const target = () => adminTarget(values);
  switch (subcommand) {
    case 'list': {
      const all = await withAdmin(target(), values.namespace, (admin) => admin.faults.list());
      if (values.json) printJson(all);
      else if (all.length === 0)
        printLines('no faults: add one with `userflare faults add --path <pattern> …`');
      else
        process.stdout.write(
          formatTable(
            ['ID', 'METHOD', 'PATH', 'ANSWER', 'TIMES', 'PROBABILITY', 'FIRED'],
            all.map((fault) => [
              fault.id,
              fault.method ?? 'any',
              fault.path,
              describeAnswer(fault),
              fault.times === undefined ? 'unlimited' : String(fault.times),
              String(fault.probability ?? 1),
              String(fault.fired),
            ]),
          ),
        );
      return;
    }
    case 'add': {
      const rule = faultRule(values);
      const added = await withAdmin(target(), values.namespace, (admin) => admin.faults.add(rule));
      if (values.json) printJson(added);
      else
        printLines(
          `added fault ${added.id}: ${added.method ?? 'any method'} ${added.path} → ${describeAnswer(added)}`,
        );
      return;
    }
    case 'clear': {
      const { cleared } = await withAdmin(target(), values.namespace, (admin) => admin.faults.clear());
      if (values.json) printJson({ cleared });
      else printLines(`cleared ${cleared} ${cleared === 1 ? 'fault' : 'faults'}`);
      return;
    }
    case 'delete': {
      const [id, ...extra] = operands;
      if (id === undefined || extra.length > 0)
        throw new UsageError(
          'give exactly one fault id: userflare faults delete <id> (`userflare faults list` shows them)',
        );
      const deleted = await withAdmin(target(), values.namespace, (admin) => admin.faults.delete(id), {
        notFound: 'run `userflare faults list` to see the active faults',
      });
      if (values.json) printJson(deleted);
      else printLines(`deleted fault ${deleted.id}`);
      return;
    }
    default:
      throw new UsageError(
        `unknown faults subcommand "${subcommand}": use list, add, clear or delete (\`userflare faults --help\`)`,
      );
  }
}

type AddValues = { [Name in keyof typeof ADD_OPTIONS]?: string | undefined };

function faultRule(values: AddValues): CreateFault {
  if (values.path === undefined)
    throw new UsageError(
      "give the path to match with --path, e.g. userflare faults add --path '/user/tokens*' --status 503",
    );
  if (values.status === undefined && values['delay-ms'] === undefined)
    throw new UsageError(
      'give --status <429|500|502|503|504> to answer with an error, --delay-ms <ms> to delay, or both',
    );
  const rule: CreateFault = { path: values.path };
  if (values.method !== undefined) rule.method = values.method.toUpperCase();
  if (values.status !== undefined)
    rule.status = parseWholeNumber('--status', values.status) as CreateFault['status'];
  if (values['retry-after'] !== undefined)
    rule.retry_after = parseWholeNumber('--retry-after', values['retry-after']);
  if (values['delay-ms'] !== undefined) rule.delay_ms = parseWholeNumber('--delay-ms', values['delay-ms']);
  if (values.times !== undefined) rule.times = parseWholeNumber('--times', values.times);
  if (values.probability !== undefined) rule.probability = parseDecimal('--probability', values.probability);
  return rule;
}

/** `503 after 200 ms`, `429 (retry-after 2 s)`, `delay 500 ms`. */
function describeAnswer(fault: Fault): string {
  const parts: string[] = [];
  if (fault.status !== undefined)
    parts.push(
      fault.status === 429 || fault.status === 503
        ? `${fault.status} (retry-after ${fault.retry_after ?? 1} s)`
        : String(fault.status),
    );
  if (fault.delay_ms !== undefined && fault.delay_ms > 0)
    parts.push(fault.status === undefined ? `delay ${fault.delay_ms} ms` : `after ${fault.delay_ms} ms`);
  return parts.join(' ') || 'nothing';
}
