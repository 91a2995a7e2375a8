#!/usr/bin/env node
import { APIError } from '@userflare/client';
import { ConfigError } from '@userflare/server';
import { PERMISSION_GROUPS_HELP, permissionGroups } from './commands/permission-groups.js';
import { RESET_HELP, reset } from './commands/reset.js';
import { SEED_HELP, seed } from './commands/seed.js';
import { SERVE_HELP, serve } from './commands/serve.js';
import { TOKENS_HELP, tokens } from './commands/tokens.js';
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
  help               show this help

\`userflare <command> --help\` lists a command's options. whoami, tokens and
permission-groups act on a running server (--url, default http://127.0.0.1:4010)
with an API token (--token, or USERFLARE_API_TOKEN / CLOUDFLARE_API_TOKEN).

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
