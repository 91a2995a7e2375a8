import {
  PermissionDeniedError,
  type PermissionGroupListResponse,
  type TokenCreateParams,
  type Userflare,
} from '@userflare/client';
import { formatTable, printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import { API_OPTIONS_HELP, apiTarget, parseCommandArgs, withClient } from './api-client.js';

export const TOKENS_HELP = `Usage: userflare tokens <subcommand> [options]

Manages the API tokens of the user the token belongs to.

Subcommands:
  list           list every token (all pages)
  create         create a token and print its value once
  roll <id>      give a token a new value and print it once; the old one stops working
  delete <id>    delete a token; its value stops working

\`userflare tokens <subcommand> --help\` lists a subcommand's options.
`;

const LIST_HELP = `Usage: userflare tokens list [options]

Lists every API token of the user, following all pages. Needs API Tokens Read.

Options:
${API_OPTIONS_HELP}
`;

const CREATE_HELP = `Usage: userflare tokens create --name <name> --group <group>... [options]

Creates an API token that allows the given permission groups and prints its value once.
Needs API Tokens Write.

Options:
  --name <name>             the token's name (required)
  --group <id or name>      a permission group, by id or exact name (required, repeatable);
                            \`userflare permission-groups\` lists them
  --resource <key>          a resource the groups apply to (repeatable), e.g.
                            com.cloudflare.api.account.<account id>; default per group scope:
                            your own user, com.cloudflare.api.account.*, com.cloudflare.api.account.zone.*
  --expires-on <date-time>  when the token stops working, e.g. 2030-01-01T00:00:00Z
  --allow-ip <cidr>         accept the token only from this address range (repeatable)
${API_OPTIONS_HELP}

Example:
  userflare tokens create --name "dns reader" --group "DNS Read" --allow-ip 192.0.2.0/24
`;

const ROLL_HELP = `Usage: userflare tokens roll <token id> [options]

Gives a token a new secret value and prints it once; the old value stops working at once.
Needs API Tokens Write.

Options:
${API_OPTIONS_HELP}
`;

const DELETE_HELP = `Usage: userflare tokens delete <token id> [options]

Deletes a token; its value stops working at once. Needs API Tokens Write.

Options:
${API_OPTIONS_HELP}
`;

/** `userflare tokens <subcommand>`. */
export async function tokens(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return listTokens(rest);
    case 'create':
      return createToken(rest);
    case 'roll':
      return rollToken(rest);
    case 'delete':
      return deleteToken(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(TOKENS_HELP);
      return;
    default:
      throw new UsageError(
        `unknown tokens subcommand "${subcommand}": use list, create, roll or delete (\`userflare tokens --help\`)`,
      );
  }
}

async function listTokens(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('tokens list', args, {});
  if (values.help) {
    process.stdout.write(LIST_HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(`tokens list takes no arguments, got "${positionals.join(' ')}"`);
  const all = await withClient(apiTarget(values), async (client) => {
    const found = [];
    for await (const token of client.user.tokens.list({ per_page: 50 })) found.push(token);
    return found;
  });
  if (values.json) {
    printJson(all);
    return;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'NAME', 'STATUS', 'ISSUED', 'EXPIRES', 'LAST USED'],
      all.map((t) => [t.id, t.name, t.status, t.issued_on, t.expires_on, t.last_used_on]),
    ),
  );
}

/** The resource a group applies to when `--resource` is not given, by the group's scope. */
function defaultResource(scope: string | undefined, userId: string): string {
  switch (scope) {
    case 'com.cloudflare.api.user':
      return `com.cloudflare.api.user.${userId}`;
    case 'com.cloudflare.api.account.zone':
      return 'com.cloudflare.api.account.zone.*';
    case 'com.cloudflare.edge.r2.bucket':
      return 'com.cloudflare.edge.r2.bucket.*';
    default:
      return 'com.cloudflare.api.account.*';
  }
}

function resolveGroup(wanted: string, catalogue: PermissionGroupListResponse[]): PermissionGroupListResponse {
  const byId = catalogue.find((group) => group.id === wanted);
  if (byId) return byId;
  const byName = catalogue.filter((group) => group.name === wanted);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) {
    throw new UsageError(
      `several permission groups are named "${wanted}" (${byName.map((g) => g.id).join(', ')}): pass --group <id>`,
    );
  }
  throw new UsageError(
    `no permission group with id or name "${wanted}": run \`userflare permission-groups\` to list them (names are exact, e.g. "DNS Read")`,
  );
}

/** The caller's user id, or `*` (which names only the caller's user too) when the token may not read it. */
async function ownUserKey(client: Userflare): Promise<string> {
  try {
    return (await client.user.get()).id;
  } catch (error) {
    if (error instanceof PermissionDeniedError) return '*';
    throw error;
  }
}

async function buildPolicies(
  client: Userflare,
  groups: PermissionGroupListResponse[],
  resources: string[],
): Promise<TokenCreateParams['policies']> {
  if (resources.length > 0) {
    return [
      {
        effect: 'allow',
        permission_groups: groups.map(({ id }) => ({ id })),
        resources: Object.fromEntries(resources.map((key) => [key, '*'])),
      },
    ];
  }
  const needsUser = groups.some((group) => group.scopes[0] === 'com.cloudflare.api.user');
  const userId = needsUser ? await ownUserKey(client) : '*';
  // One policy per default resource: a user group on an account resource would grant nothing.
  const byResource = new Map<string, { id: string }[]>();
  for (const group of groups) {
    const key = defaultResource(group.scopes[0], userId);
    byResource.set(key, [...(byResource.get(key) ?? []), { id: group.id }]);
  }
  return [...byResource].map(([key, permission_groups]) => ({
    effect: 'allow' as const,
    permission_groups,
    resources: { [key]: '*' },
  }));
}

async function createToken(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('tokens create', args, {
    name: { type: 'string' },
    group: { type: 'string', multiple: true },
    resource: { type: 'string', multiple: true },
    'expires-on': { type: 'string' },
    'allow-ip': { type: 'string', multiple: true },
  });
  if (values.help) {
    process.stdout.write(CREATE_HELP);
    return;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `tokens create takes no arguments, got "${positionals.join(' ')}"; name the token with --name`,
    );
  const hint = 'e.g. userflare tokens create --name ci --group "User Details Read"';
  if (!values.name) throw new UsageError(`give the token a name with --name <name> (${hint})`);
  const wanted = values.group ?? [];
  if (wanted.length === 0)
    throw new UsageError(`give at least one --group <permission group id or name> (${hint})`);
  const created = await withClient(apiTarget(values), async (client) => {
    const catalogue = (await client.user.tokens.permissionGroups.list()).result;
    const groups = wanted.map((name) => resolveGroup(name, catalogue));
    const body: TokenCreateParams = {
      name: values.name as string,
      policies: await buildPolicies(client, groups, values.resource ?? []),
    };
    if (values['expires-on'] !== undefined) body.expires_on = values['expires-on'];
    if (values['allow-ip'] !== undefined) body.condition = { request_ip: { in: values['allow-ip'] } };
    return client.user.tokens.create(body);
  });
  if (values.json) {
    printJson(created);
    return;
  }
  const ips = created.condition.request_ip?.in;
  printLines(
    `created token "${created.name}" ${created.id} (${created.status})`,
    ...created.policies.map(
      (p) =>
        `  ${p.effect} ${p.permission_groups.map((g) => g.name).join(', ')} on ${Object.keys(p.resources).join(', ')}`,
    ),
    ...(created.expires_on ? [`  expires ${created.expires_on}`] : []),
    ...(ips?.length ? [`  only from ${ips.join(', ')}`] : []),
    `API token value (shown once, store it now): ${created.value}`,
  );
}

function tokenId(command: string, positionals: string[]): string {
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0)
    throw new UsageError(
      `give exactly one token id: userflare tokens ${command} <token id> (\`userflare tokens list\` shows them)`,
    );
  return id;
}

async function rollToken(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('tokens roll', args, {});
  if (values.help) {
    process.stdout.write(ROLL_HELP);
    return;
  }
  const id = tokenId('roll', positionals);
  const value = await withClient(apiTarget(values), (client) => client.user.tokens.value.update(id));
  if (values.json) {
    printJson({ id, value });
    return;
  }
  printLines(
    `rolled token ${id}: its old value no longer works`,
    `new API token value (shown once, store it now): ${value}`,
  );
}

async function deleteToken(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('tokens delete', args, {});
  if (values.help) {
    process.stdout.write(DELETE_HELP);
    return;
  }
  const id = tokenId('delete', positionals);
  await withClient(apiTarget(values), (client) => client.user.tokens.delete(id));
  if (values.json) {
    printJson({ id });
    return;
  }
  printLines(`deleted token ${id}`);
}
