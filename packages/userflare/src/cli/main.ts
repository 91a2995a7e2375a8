#!/usr/bin/env node
import { APIError } from '@userflare/client';
import { ConfigError } from '../config.js';
import { CLOCK_HELP, clock } from './commands/clock.js';
import { ENFORCEMENT_HELP, enforcement } from './commands/enforcement.js';
import { EXPLAIN_HELP, explain } from './commands/explain.js';
import { FAULTS_HELP, faults } from './commands/faults.js';
import { JOURNAL_HELP, journal } from './commands/journal.js';
import { LEAK_HELP, leak } from './commands/leak.js';
import { NAMESPACE_HELP, namespace } from './commands/namespace.js';
import { PERMISSION_GROUPS_HELP, permissionGroups } from './commands/permission-groups.js';
import { RESET_HELP, reset } from './commands/reset.js';
import { SEED_HELP, seed } from './commands/seed.js';
import { SERVE_HELP, serve } from './commands/serve.js';
import { SNAPSHOT_HELP, snapshot } from './commands/snapshot.js';
import { TOKENS_HELP, tokens } from './commands/tokens.js';
import { USERS_HELP, users } from './commands/users.js';
import { WHOAMI_HELP, whoami } from './commands/whoami.js';
import { UsageError } from './usage-error.js';

const HELP = `userflare — the Cloudflare v4 User API as a real server

Usage: userflare <command> [options]

Commands:
  serve              serve the API (what \`npm start\` runs)
  seed               load a fixture file into a running server
  reset              empty a running server's store and bootstrap it again
  whoami             verify an API token and show its user and accounts
  tokens             list, create, roll and delete API tokens
  permission-groups  list the permission groups a token may grant
  users              roll a user's global API key (admin key)
  help               show this help

Emulator controls:
  clock              show, set, advance, freeze or reset the server's clock
  snapshot           save the store under a name and restore it later
  enforcement        refuse denied requests, or only report why they would be refused
  explain            say whether a token would be let through on a route, and why not
  leak               simulate a token found in public: it is disabled at once
  journal            list (or --clear) the API requests the server answered
  faults             make matching requests fail or wait, to test retries and timeouts
  namespace          list, create and delete stores of their own under /ns/<id>

\`userflare <command> --help\` lists a command's options. whoami, tokens and
permission-groups act on a running server (--url, default http://127.0.0.1:4010)
with an API token (--token, or USERFLARE_API_TOKEN / CLOUDFLARE_API_TOKEN).
seed, reset, users and the emulator controls use the admin key (--admin-key, or
USERFLARE_ADMIN_KEY), and --admin-url (USERFLARE_ADMIN_URL) when the server's admin
plane has a listener of its own; the emulator controls act inside a namespace with --namespace <id>.

Point the official SDK at it with baseURL http://127.0.0.1:4010/client/v4,
and wrangler with CLOUDFLARE_API_BASE_URL=http://127.0.0.1:4010/client/v4.
`;

const COMMAND_HELP: Record<string, string> = {
  serve: SERVE_HELP,
  seed: SEED_HELP,
  reset: RESET_HELP,
  whoami: WHOAMI_HELP,
  tokens: TOKENS_HELP,
  'permission-groups': PERMISSION_GROUPS_HELP,
  users: USERS_HELP,
  clock: CLOCK_HELP,
  snapshot: SNAPSHOT_HELP,
  enforcement: ENFORCEMENT_HELP,
  explain: EXPLAIN_HELP,
  leak: LEAK_HELP,
  journal: JOURNAL_HELP,
  faults: FAULTS_HELP,
  namespace: NAMESPACE_HELP,
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'seed':
      return seed(rest);
    case 'reset':
      return reset(rest);
    case 'whoami':
      return whoami(rest);
    case 'tokens':
      return tokens(rest);
    case 'permission-groups':
      return permissionGroups(rest);
    case 'users':
      return users(rest);
    case 'clock':
      return clock(rest);
    case 'snapshot':
      return snapshot(rest);
    case 'enforcement':
      return enforcement(rest);
    case 'explain':
      return explain(rest);
    case 'leak':
      return leak(rest);
    case 'journal':
      return journal(rest);
    case 'faults':
      return faults(rest);
    case 'namespace':
      return namespace(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(command === 'help' ? (COMMAND_HELP[rest[0] ?? ''] ?? HELP) : HELP);
      return;
    default:
      throw new UsageError(`unknown command "${command}": run \`userflare --help\` to see the commands`);
  }
}

function isArgumentError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

/** One line per Cloudflare error item: `<status> <code>: <message>`. */
function describeApiError(error: APIError): string[] {
  if (error.errors.length === 0) return [error.message];
  return error.errors.map((item) => `${error.status} ${item.code}: ${item.message}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof APIError) {
    for (const line of describeApiError(error)) process.stderr.write(`userflare: ${line}\n`);
    process.exit(1);
  }
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`userflare: ${error.message}\n`);
    process.exit(2);
  }
  if (isArgumentError(error)) {
    process.stderr.write(
      `userflare: ${error.message}; run \`userflare ${process.argv[2]} --help\` for the options\n`,
    );
    process.exit(2);
  }
  process.stderr.write(`userflare: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
