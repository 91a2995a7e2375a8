import type { Snapshot } from '@userflare/client';
import { formatTable, printJson, printLines } from '../output.js';
import { UsageError } from '../usage-error.js';
import {
  ADMIN_OPTIONS_HELP,
  adminTarget,
  NAMESPACE_OPTION,
  NAMESPACE_OPTION_HELP,
  parseAdminArgs,
  withAdmin,
} from './admin-client.js';

export const SNAPSHOT_HELP = `Usage: userflare snapshot [list|save <name>|restore <name>|delete <name>] [options]

Saves a running server's whole store under a name and puts it back later, e.g. once after seeding
and again before every test.

Subcommands:
  list              the saved snapshots (default)
  save <name>       save the store as <name> (1 to 64 of A-Za-z0-9._-), replacing one of that name
  restore <name>    put the store back as it was when <name> was saved; the snapshot stays
  delete <name>     delete a snapshot

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}

Example:
  userflare seed fixtures/example.json && userflare snapshot save seeded
  userflare snapshot restore seeded
`;

const LIST_HINT = 'run `userflare snapshot list` to see the saved snapshots';

/** `userflare snapshot`: `/__userflare/snapshots`. */
export async function snapshot(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('snapshot', args, NAMESPACE_OPTION);
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(SNAPSHOT_HELP);
    return;
  }
  const [subcommand = 'list', ...operands] = positionals;
  const target = () => adminTarget(values);
  switch (subcommand) {
    case 'list': {
      if (operands.length > 0)
        throw new UsageError(`snapshot list takes no arguments, got "${operands.join(' ')}"`);
      const snapshots = await withAdmin(target(), values.namespace, (admin) => admin.snapshots.list());
      if (values.json) printJson(snapshots);
      else if (snapshots.length === 0)
        printLines('no snapshots: save one with `userflare snapshot save <name>`');
      else
        process.stdout.write(
          formatTable(
            ['NAME', 'CREATED', 'ROWS'],
            snapshots.map((s) => [s.name, s.created_on, String(s.rows)]),
          ),
        );
      return;
    }
    case 'save': {
      const name = snapshotName('save', operands);
      const saved = await withAdmin(target(), values.namespace, (admin) => admin.snapshots.save(name));
      if (values.json) printJson(saved);
      else printLines(`saved snapshot "${saved.name}" (${describeRows(saved)})`);
      return;
    }
    case 'restore': {
      const name = snapshotName('restore', operands);
      const restored = await withAdmin(target(), values.namespace, (admin) => admin.snapshots.restore(name), {
        notFound: LIST_HINT,
      });
      if (values.json) printJson(restored);
      else
        printLines(
          `restored snapshot "${restored.name}" saved ${restored.created_on} (${describeRows(restored)})`,
        );
      return;
    }
    case 'delete': {
      const name = snapshotName('delete', operands);
      const deleted = await withAdmin(target(), values.namespace, (admin) => admin.snapshots.delete(name), {
        notFound: LIST_HINT,
      });
      if (values.json) printJson(deleted);
      else printLines(`deleted snapshot "${deleted.name}"`);
      return;
    }
    default:
      throw new UsageError(
        `unknown snapshot subcommand "${subcommand}": use list, save, restore or delete (\`userflare snapshot --help\`)`,
      );
  }
}

function describeRows(snapshot: Snapshot): string {
  return `${snapshot.rows} ${snapshot.rows === 1 ? 'row' : 'rows'}`;
}

function snapshotName(subcommand: string, operands: string[]): string {
  const [name, ...extra] = operands;
  if (name === undefined || extra.length > 0)
    throw new UsageError(`give exactly one snapshot name: userflare snapshot ${subcommand} <name>`);
  return name;
}
