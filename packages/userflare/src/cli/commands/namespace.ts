import type { CreateNamespace } from '@userflare/client';
import { formatTable, printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import { ADMIN_OPTIONS_HELP, adminTarget, parseAdminArgs, withAdmin } from './admin-client.js';

export const NAMESPACE_HELP = `Usage: userflare namespace [list|create [--id <id>] [--email <email>]|delete <id>] [options]

Manages the namespaces of a running server: stores of their own, each with its own bootstrap user,
clock, snapshots, journal and faults, served under /ns/<id> — one per test suite, run in parallel.
Give another command --namespace <id> to act inside one.

Subcommands:
  list            the namespaces and their base URLs (default)
  create          create one and print its bootstrap token and global API key once
  delete <id>     delete one and everything in it

Options of create:
  --id <id>            the namespace id, a-z, 0-9 and - (default: generated)
  --email <email>      its bootstrap user (default admin@example.com)

Options:
${ADMIN_OPTIONS_HELP}

Example:
  userflare namespace create --id suite-a
  CLOUDFLARE_API_BASE_URL=http://127.0.0.1:4010/ns/suite-a/client/v4 npx wrangler whoami
`;

/** `userflare namespace`: `/__userflare/namespaces`. */
export async function namespace(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('namespace', args, {
    id: { type: 'string' },
    email: { type: 'string' },
  });
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(NAMESPACE_HELP);
    return;
  }
  const [subcommand = 'list', ...operands] = positionals;
  if (subcommand !== 'create' && (values.id !== undefined || values.email !== undefined))
    throw new UsageError('--id and --email only go with `userflare namespace create`');
  if (subcommand !== 'delete' && operands.length > 0)
    throw new UsageError(
      `namespace ${subcommand} takes no arguments, got "${operands.join(' ')}"${subcommand === 'create' ? '; choose the id with --id' : ''}`,
    );
  const target = () => adminTarget(values);
  switch (subcommand) {
    case 'list': {
      const all = await withAdmin(target(), undefined, (admin) => admin.namespaces.list());
      if (values.json) printJson(all);
      else if (all.length === 0) printLines('no namespaces: create one with `userflare namespace create`');
      else
        process.stdout.write(
          formatTable(
            ['ID', 'EMAIL', 'CREATED', 'BASE URL'],
            all.map((ns) => [ns.id, ns.email, ns.created_on, ns.base_url]),
          ),
        );
      return;
    }
    case 'create': {
      const body: CreateNamespace = {};
      if (values.id !== undefined) body.id = values.id;
      if (values.email !== undefined) body.email = values.email;
      const created = await withAdmin(target(), undefined, (admin) => admin.namespaces.create(body));
      if (values.json) {
        printJson(created);
        return;
      }
      printLines(
        `created namespace ${created.id}`,
        `base URL: ${created.base_url}`,
        `bootstrap user: ${created.email}`,
        ...(created.token ? [`bootstrap API token (shown once): ${created.token}`] : []),
        ...(created.api_key ? [`bootstrap global API key (shown once): ${created.api_key}`] : []),
      );
      return;
    }
    case 'delete': {
      const [id, ...extra] = operands;
      if (id === undefined || extra.length > 0)
        throw new UsageError(
          'give exactly one namespace id: userflare namespace delete <id> (`userflare namespace list` shows them)',
        );
      const deleted = await withAdmin(target(), undefined, (admin) => admin.namespaces.delete(id), {
        notFound: 'run `userflare namespace list` to see the namespaces',
      });
      if (values.json) printJson(deleted);
      else printLines(`deleted namespace ${deleted.id}`);
      return;
    }
    default:
      throw new UsageError(
        `unknown namespace subcommand "${subcommand}": use list, create or delete (\`userflare namespace --help\`)`,
      );
  }
}
