import { parseArgs } from 'node:util';
import type { FixtureResult } from '@userflare/contract';
import { UsageError } from '../usage-error.js';
import { adminTarget, callAdmin } from './admin-client.js';
import { readFixtureFile } from './fixture-file.js';

export const SEED_HELP = `Usage: userflare seed <fixture.json> [options]

Loads a fixture file into a running server through the admin plane. The file is applied whole or
not at all: a bad entry is named and nothing is loaded. The format is in the README ("Fixtures").

Options:
  --url <url>          USERFLARE_URL         the server (default http://127.0.0.1:4010)
  --admin-url <url>    USERFLARE_ADMIN_URL   its admin plane, when it listens apart (USERFLARE_ADMIN_LISTEN)
  --admin-key <key>    USERFLARE_ADMIN_KEY   the admin key the server printed on its first start
  -h, --help                                 show this help
`;

/** Prints what was loaded, with the secrets of the users the fixture created (shown once). */
export function describeFixtureResult(result: FixtureResult): string[] {
  const counts = Object.entries(result.counts)
    .filter(([, count]) => count > 0)
    .map(([section, count]) => `${count} ${section.replaceAll('_', ' ')}`);
  const lines = [`loaded ${counts.join(', ') || 'nothing'}`];
  for (const user of result.users) {
    lines.push(
      `user ${user.email}: global API key ${user.api_key}${user.token ? `, API token ${user.token.value}` : ''}`,
    );
  }
  return lines;
}

export async function seed(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      'admin-url': { type: 'string' },
      'admin-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(SEED_HELP);
    return;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0)
    throw new UsageError('give exactly one fixture file: userflare seed <fixture.json>');
  const fixture = readFixtureFile(file);
  const target = adminTarget(values);
  process.stdout.write(`loading ${file} into ${target.url} …\n`);
  const result = await callAdmin<FixtureResult>(target, 'POST', '/seed', fixture);
  for (const line of describeFixtureResult(result)) process.stdout.write(`${line}\n`);
}
