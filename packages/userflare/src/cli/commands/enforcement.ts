import type { Enforcement, EnforcementMode } from '@userflare/client';
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

export const ENFORCEMENT_HELP = `Usage: userflare enforcement [show|enforce|report] [options]

Shows or sets whether a running server refuses the requests Cloudflare would refuse.

Subcommands:
  show       the current mode (default)
  enforce    refuse them, with Cloudflare's status and error codes (the default mode)
  report     let them through; the userflare-denial response header and \`userflare journal\`
             say why each would have been refused

Options:
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}
`;

const MEANING: Record<EnforcementMode, string> = {
  enforce: 'requests Cloudflare would refuse are refused',
  report: 'requests Cloudflare would refuse go through; `userflare journal` says why each would not',
};

/** `userflare enforcement`: `/__userflare/enforcement`. */
export async function enforcement(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('enforcement', args, NAMESPACE_OPTION);
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(ENFORCEMENT_HELP);
    return;
  }
  const [subcommand = 'show', ...extra] = positionals;
  if (extra.length > 0)
    throw new UsageError(`enforcement ${subcommand} takes no arguments, got "${extra.join(' ')}"`);
  if (subcommand !== 'show' && subcommand !== 'enforce' && subcommand !== 'report')
    throw new UsageError(
      `unknown enforcement subcommand "${subcommand}": use show, enforce or report (\`userflare enforcement --help\`)`,
    );
  const result: Enforcement = await withAdmin(adminTarget(values), values.namespace, (admin) =>
    subcommand === 'show' ? admin.enforcement.get() : admin.enforcement.set(subcommand),
  );
  if (values.json) printJson(result);
  else printLines(`enforcement: ${result.mode} (${MEANING[result.mode]})`);
}
