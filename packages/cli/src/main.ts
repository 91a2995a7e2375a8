#!/usr/bin/env node
import { ConfigError } from '@userflare/server';
import { SERVE_HELP, serve } from './commands/serve.js';
import { UsageError } from './usage-error.js';

const HELP = `userflare — the Cloudflare v4 User API as a real server

Usage: userflare <command> [options]

Commands:
  serve        serve the API (what \`npm start\` runs); \`userflare serve --help\` lists its options
  help         show this help

Point the official SDK at it with baseURL http://127.0.0.1:4010/client/v4,
and wrangler with CLOUDFLARE_API_BASE_URL=http://127.0.0.1:4010/client/v4.
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(command === 'help' && rest[0] === 'serve' ? SERVE_HELP : HELP);
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

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`userflare: ${error.message}\n`);
    process.exit(2);
  }
  if (isArgumentError(error)) {
    process.stderr.write(`userflare: ${error.message}; run \`userflare serve --help\` for the options\n`);
    process.exit(2);
  }
  process.stderr.write(`userflare: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
