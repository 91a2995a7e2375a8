import { printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import {
  ADMIN_OPTIONS_HELP,
  adminTarget,
  NAMESPACE_OPTION,
  NAMESPACE_OPTION_HELP,
  parseAdminArgs,
  withAdmin,
} from './admin-client.js';

export const LEAK_HELP = `Usage: userflare leak <token id> [options]

Simulates an API token found in public: the token is disabled at once and every request with it
is refused, as your code should be ready for.

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}
`;

/** `userflare leak`: `POST /__userflare/tokens/{id}/leak`. */
export async function leak(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('leak', args, NAMESPACE_OPTION);
  if (values.help) {
    process.stdout.write(LEAK_HELP);
    return;
  }
  const [tokenId, ...extra] = positionals;
  if (tokenId === undefined || extra.length > 0)
    throw new UsageError(
      'give exactly one token id: userflare leak <token id> (`userflare tokens list` shows them)',
    );
  const leaked = await withAdmin(
    adminTarget(values),
    values.namespace,
    (admin) => admin.tokens.leak(tokenId),
    {
      notFound: 'run `userflare tokens list` to see the token ids',
    },
  );
  if (values.json) printJson(leaked);
  else printLines(`leaked token ${leaked.id}: ${leaked.status}, exposed ${leaked.exposed_on}`);
}
