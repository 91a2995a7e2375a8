import { formatTable, printJson } from '../output.js';
import { UsageError } from '../usage-error.js';
import { API_OPTIONS_HELP, apiTarget, parseCommandArgs, withClient } from './api-client.js';

export const PERMISSION_GROUPS_HELP = `Usage: userflare permission-groups [options]

Lists the permission groups a token policy may grant, with their scopes. Needs API Tokens Read.

Options:
  --name <name>      only the group of exactly this name, e.g. "DNS Read"
  --scope <scope>    only groups of this scope, e.g. com.cloudflare.api.user
${API_OPTIONS_HELP}
`;

/** `userflare permission-groups`: `GET /user/tokens/permission_groups`. */
export async function permissionGroups(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('permission-groups', args, {
    name: { type: 'string' },
    scope: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(PERMISSION_GROUPS_HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `permission-groups takes no arguments, got "${positionals.join(' ')}"; filter with --name or --scope`,
    );
  const query = {
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.scope === undefined ? {} : { scope: values.scope }),
  };
  const groups = await withClient(apiTarget(values), async (client) => {
    const all = [];
    for await (const group of client.user.tokens.permissionGroups.list(query)) all.push(group);
    return all;
  });
  if (values.json) {
    printJson(groups);
    return;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'NAME', 'SCOPES'],
      groups.map((g) => [g.id, g.name, g.scopes.join(', ')]),
    ),
  );
}
