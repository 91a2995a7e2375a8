import { checkCidr } from './cidr';
import { isHexId } from './resources';
import { instantOf, type TokenDraft } from './token-draft';

/** Field keys of the form, shared by the checks here, the server's refusals and the inputs. */
export const fieldKeys = {
  name: 'name',
  /** A permission line's group picker, or a policy's permission list as a whole. */
  group: (uid: string) => `group:${uid}`,
  resources: (policyUid: string) => `resources:${policyUid}`,
  resourceId: (entryUid: string) => `resource:${entryUid}`,
  ip: (ruleUid: string) => `ip:${ruleUid}`,
  notBefore: 'not_before',
  expiresOn: 'expires_on',
} as const;

export interface DraftCheck {
  /** Field key → what is wrong, in words. */
  errors: Map<string, string>;
  /** Permissions chosen, in policies with at least one resource. */
  permissionCount: number;
}

const NAME_MAX = 120;

/**
 * Checks the form as the server would (REFERENCE §2.17, §4.3, §4.5, §4.6), so Create is disabled
 * with the reason before the server has to refuse. `kept` CIDRs (as loaded) are not rechecked: the
 * server accepted them.
 */
export function checkDraft(draft: TokenDraft, kept: ReadonlySet<string> = new Set()): DraftCheck {
  const errors = new Map<string, string>();
  const name = draft.name.trim();
  if (name === '') errors.set(fieldKeys.name, 'Enter a token name');
  else if (draft.name.length > NAME_MAX) errors.set(fieldKeys.name, `At most ${NAME_MAX} characters`);
  let permissionCount = 0;
  for (const block of draft.policies) {
    for (const line of block.permissions)
      if (!line.groupId)
        errors.set(fieldKeys.group(line.uid), 'Choose a permission group, or remove this line');
    if (block.permissions.length === 0) errors.set(fieldKeys.group(block.uid), 'Add at least one permission');
    if (block.resources.length === 0) errors.set(fieldKeys.resources(block.uid), 'Add at least one resource');
    for (const entry of block.resources) {
      const id = entry.id.trim();
      if (entry.kind === 'zone' && !isHexId(id.toLowerCase()))
        errors.set(
          fieldKeys.resourceId(entry.uid),
          id === '' ? 'Enter a zone ID' : 'A zone ID is 32 hexadecimal characters (0–9, a–f)',
        );
      if ((entry.kind === 'account' || entry.kind === 'account-zones') && !isHexId(id.toLowerCase()))
        errors.set(
          fieldKeys.resourceId(entry.uid),
          id === '' ? 'Choose an account' : 'An account ID is 32 hexadecimal characters (0–9, a–f)',
        );
    }
    if (block.resources.length > 0)
      permissionCount += block.permissions.filter((line) => line.groupId !== null).length;
  }
  for (const rule of draft.ipRules) {
    if (kept.has(rule.cidr)) continue;
    const { error } = checkCidr(rule.cidr);
    if (error) errors.set(fieldKeys.ip(rule.uid), error);
  }
  const start = instantOf(draft.notBefore);
  const end = instantOf(draft.expiresOn);
  if (start && end && Date.parse(end) <= Date.parse(start))
    errors.set(fieldKeys.expiresOn, 'The end date must be after the start date');
  return { errors, permissionCount };
}

/** The form's problems in reading order, named as the page labels them: `Policy 1, permission 2: …`. */
export function describeIssues(draft: TokenDraft, errors: ReadonlyMap<string, string>): string[] {
  const issues: string[] = [];
  const add = (key: string, where: string) => {
    const error = errors.get(key);
    if (error) issues.push(`${where}: ${error}`);
  };
  add(fieldKeys.name, 'Token name');
  for (const [i, block] of draft.policies.entries()) {
    add(fieldKeys.group(block.uid), `Policy ${i + 1}`);
    for (const [j, line] of block.permissions.entries())
      add(fieldKeys.group(line.uid), `Policy ${i + 1}, permission ${j + 1}`);
    add(fieldKeys.resources(block.uid), `Policy ${i + 1}`);
    for (const [j, entry] of block.resources.entries())
      add(fieldKeys.resourceId(entry.uid), `Policy ${i + 1}, resource ${j + 1}`);
  }
  for (const [i, rule] of draft.ipRules.entries()) add(fieldKeys.ip(rule.uid), `IP filter ${i + 1}`);
  add(fieldKeys.notBefore, 'Start date');
  add(fieldKeys.expiresOn, 'End date');
  return issues;
}
