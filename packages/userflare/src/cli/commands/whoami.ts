import { formatTable, printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import { API_OPTIONS_HELP, apiTarget, parseCommandArgs, withClient } from './api-client.js';

export const WHOAMI_HELP = `Usage: userflare whoami [options]

Verifies the API token and shows whose it is: the user's email and id, and the accounts
(organizations) the user belongs to, with their roles. Needs User Details Read.

Options:
${API_OPTIONS_HELP}
`;

/** `userflare whoami`: `GET /user/tokens/verify`, then `GET /user`. */
export async function whoami(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('whoami', args, {});
  if (values.help) {
    process.stdout.write(WHOAMI_HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `whoami takes no arguments, got "${positionals.join(' ')}"; run \`userflare whoami --help\``,
    );
  const target = apiTarget(values);
  const { token, user } = await withClient(target, async (client) => ({
    token: await client.user.tokens.verify(),
    user: await client.user.get(),
  }));
  const accounts = user.organizations.map(({ id, name, roles, status }) => ({ id, name, roles, status }));
  if (values.json) {
    printJson({ user: { id: user.id, email: user.email }, token, accounts });
    return;
  }
  printLines(
    `email:    ${user.email}`,
    `user id:  ${user.id}`,
    `token:    ${token.id} (${token.status}${token.expires_on ? `, expires ${token.expires_on}` : ''})`,
    `server:   ${target.url}`,
    '',
  );
  if (accounts.length === 0) {
    printLines('accounts: none');
    return;
  }
  process.stdout.write(
    formatTable(
      ['ACCOUNT ID', 'NAME', 'STATUS', 'ROLES'],
      accounts.map((a) => [a.id, a.name, a.status, a.roles.join(', ')]),
    ),
  );
}
