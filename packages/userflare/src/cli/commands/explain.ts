import type { ExplainRequest, Explanation } from '@userflare/client';
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

export const EXPLAIN_HELP = `Usage: userflare explain [--token <value>] <METHOD> <path> [options]

Says whether a running server would let an API token through on a route and, if not, why: the
failed check, the permission the route needs and each policy's verdict. Nothing is called.

Arguments:
  <METHOD>    GET, POST, PUT, PATCH or DELETE
  <path>      the API path as a client sends it, e.g. /client/v4/user/tokens

Options:
  --token <value>      USERFLARE_API_TOKEN, CLOUDFLARE_API_TOKEN   the token value to judge
  --ip <address>                                                   the client address (default 127.0.0.1)
${NAMESPACE_OPTION_HELP}
${ADMIN_OPTIONS_HELP}

Example:
  userflare explain --token "$TOKEN" GET /client/v4/user/tokens
`;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `userflare explain`: `POST /__userflare/explain`. */
export async function explain(args: string[]): Promise<void> {
  const { values, positionals } = parseAdminArgs('explain', args, {
    ...NAMESPACE_OPTION,
    token: { type: 'string' },
    ip: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(EXPLAIN_HELP);
    return;
  }
  const [methodArg, path, ...extra] = positionals;
  if (methodArg === undefined || path === undefined || extra.length > 0)
    throw new UsageError(
      'give a method and a path: userflare explain --token <value> <METHOD> <path>, e.g. GET /client/v4/user',
    );
  const method = METHODS.find((known) => known === methodArg.toUpperCase());
  if (!method) throw new UsageError(`"${methodArg}" is not a method: give one of ${METHODS.join(', ')}`);
  if (!path.startsWith('/'))
    throw new UsageError(`the path must start with /, e.g. /client/v4/${path.replace(/^\/*/, '')}`);
  const token = values.token || process.env.USERFLARE_API_TOKEN || process.env.CLOUDFLARE_API_TOKEN;
  if (!token) throw new UsageError('no token to judge: pass --token <value> or set USERFLARE_API_TOKEN');
  const request: ExplainRequest = {
    token,
    method,
    path,
    ...(values.ip === undefined ? {} : { ip: values.ip }),
  };
  const explanation = await withAdmin(adminTarget(values), values.namespace, (admin) =>
    admin.explain(request),
  );
  if (values.json) printJson(explanation);
  else printLines(...describeExplanation(explanation));
}

/** The verdict, then for a denial its message, credential, required permission and policy table. */
export function describeExplanation(explanation: Explanation): string[] {
  const route = `${explanation.route.method} ${explanation.route.path}`;
  const { denial } = explanation;
  if (explanation.allowed || denial === null) return [`allowed: ${route}`];
  const { credential, required } = denial;
  const lines = [`denied: ${route} (${denial.reason})`, `  ${denial.message}`];
  if (credential.kind !== 'none') {
    const whose = credential.user_id ? ` of user ${credential.user_id}` : '';
    const which = credential.token_id ? ` ${credential.token_id}` : '';
    lines.push(`  credential: ${credential.kind.replace('_', ' ')}${which}${whose}`);
  }
  if (required) {
    const groups = required.permission_groups.map((group) => group.name).join(', ');
    lines.push(`  needs: one of ${groups} (${required.scope} scope)`);
  }
  if (denial.policies.length > 0) {
    const table = formatTable(
      ['POLICY', 'EFFECT', 'MATCHED', 'WHY'],
      denial.policies.map((policy) => [policy.id, policy.effect, policy.matched ? 'yes' : 'no', policy.why]),
    );
    lines.push('', ...table.trimEnd().split('\n'));
  }
  return lines;
}
