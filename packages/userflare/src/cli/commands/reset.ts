import { parseArgs } from 'node:util';
import { UsageError } from '../usage-error.js';
import { adminTarget, callAdmin } from './admin-client.js';

export const RESET_HELP = `Usage: userflare reset [options]

Empties a running server's store and bootstraps it again (the bootstrap user, token and key),
or with --to start returns it to the state right after it started: bootstrap and --seed fixture
with the same secrets, and the clock, faults, enforcement mode and journal as new.

Options:
  --to <empty|start>                         what to return to (default empty)
  --url <url>          USERFLARE_URL         the server (default http://127.0.0.1:4010)
  --admin-url <url>    USERFLARE_ADMIN_URL   its admin plane, when it listens apart (USERFLARE_ADMIN_LISTEN)
  --admin-key <key>    USERFLARE_ADMIN_KEY   the admin key the server printed on its first start
  -h, --help                                 show this help
`;

export async function reset(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      to: { type: 'string', default: 'empty' },
      url: { type: 'string' },
      'admin-url': { type: 'string' },
      'admin-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(RESET_HELP);
    return;
  }
  if (values.to !== 'empty' && values.to !== 'start') {
    throw new UsageError(`--to must be empty or start, got "${values.to}"`);
  }
  const result = await callAdmin<{ email: string; token?: string; api_key?: string }>(
    adminTarget(values),
    'POST',
    '/reset',
    { to: values.to },
  );
  process.stdout.write(`reset${values.to === 'start' ? ' to start' : ''}: bootstrap user ${result.email}\n`);
  if (result.token) process.stdout.write(`bootstrap API token (shown once): ${result.token}\n`);
  if (result.api_key) process.stdout.write(`bootstrap global API key (shown once): ${result.api_key}\n`);
}
