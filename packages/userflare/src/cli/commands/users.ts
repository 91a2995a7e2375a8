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

export const USERS_HELP = `Usage: userflare users <subcommand> [options]

Acts on users through the admin plane, with the admin key.

Subcommands:
  roll-api-key <user id or email>   give the user a new global API key and print it once;
                                    the old key stops working at once

\`userflare users <subcommand> --help\` lists a subcommand's options.
`;

const ROLL_API_KEY_HELP = `Usage: userflare users roll-api-key <user id or email> [options]

Gives a user a new global API key, as the dashboard's "Change" of the Global API Key does, and
prints it once. The old key is refused from this moment; the roll is audited as rotate_API_key.

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}

Example:
  userflare users roll-api-key ops@example.com
`;

/** `userflare users <subcommand>`. */
export async function users(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'roll-api-key':
      return rollApiKey(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USERS_HELP);
      return;
    default:
      throw new UsageError(
        `unknown users subcommand "${subcommand}": use roll-api-key (\`userflare users --help\`)`,
      );
  }
}

/** `userflare users roll-api-key`: `POST /__userflare/users/{user}/api_key/roll`. */
async function rollApiKey(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('users roll-api-key', args, NAMESPACE_OPTION);
  if (values.help) {
    process.stdout.write(ROLL_API_KEY_HELP);
    return;
  }
  const [user, ...extra] = positionals;
  if (user === undefined || extra.length > 0) {
    throw new UsageError('give exactly one user: userflare users roll-api-key <user id or email>');
  }
  const rolled = await withAdmin(
    adminTarget(values),
    values.namespace,
    (admin) => admin.users.rollApiKey(user),
    { notFound: `no user has the id or email "${user}"` },
  );
  if (values.json) {
    printJson(rolled);
    return;
  }
  printLines(
    `rolled the global API key of ${rolled.email} (${rolled.id}): the old key no longer works`,
    `new global API key (shown once, store it now): ${rolled.api_key}`,
  );
}
