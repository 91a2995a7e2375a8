import type { Token, TokenCondition, TokenStatus } from '@userflare/contract';
import type { Catalogue, Scope } from './permission-catalogue';
import { canonicalUnit, entryOf, type ResourceEntry } from './resources';

let lastUid = 0;
/** A key for React lists and field errors: policies, permissions and resources have no id of their own. */
export const newUid = () => `u${++lastUid}`;

/** One permission line of a policy: a catalogue group (family + access level), null until picked. */
export interface PermissionLine {
  uid: string;
  groupId: string | null;
}

/**
 * A policy as Cloudflare's form shows it (research §1.2 item 3): a resource type, the resources it
 * includes or excludes, and the permissions granted on them. Include resources become an `allow`
 * policy and Exclude resources a `deny` policy over the same groups (item 4).
 */
export interface PolicyBlock {
  uid: string;
  scope: Scope;
  permissions: PermissionLine[];
  resources: ResourceEntry[];
}

export interface IpRule {
  uid: string;
  operator: 'in' | 'not_in';
  cidr: string;
}

/**
 * A date field: the chosen day (YYYY-MM-DD, 00:00 UTC), and the exact instant a loaded token had, kept
 * while the day is unchanged — the API accepts any instant, the dashboard only whole days (§4.6).
 */
export interface DayField {
  day: string;
  exact?: string;
}

export interface TokenDraft {
  name: string;
  policies: PolicyBlock[];
  ipRules: IpRule[];
  notBefore: DayField;
  expiresOn: DayField;
  /** Edit only: the token's status as loaded, or as changed. */
  status?: TokenStatus;
}

export function defaultResource(scope: Scope, effect: ResourceEntry['effect'] = 'include'): ResourceEntry {
  const kind = scope === 'account' ? 'all-accounts' : scope === 'zone' ? 'all-zones' : 'user';
  return { uid: newUid(), effect, kind, id: '' };
}

export const emptyLine = (groupId: string | null = null): PermissionLine => ({ uid: newUid(), groupId });

export function emptyPolicy(scope: Scope = 'zone'): PolicyBlock {
  return { uid: newUid(), scope, permissions: [emptyLine()], resources: [defaultResource(scope)] };
}

export function emptyDraft(): TokenDraft {
  return { name: '', policies: [emptyPolicy()], ipRules: [], notBefore: { day: '' }, expiresOn: { day: '' } };
}

export const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);

/** The instant a day field stands for: the loaded instant if its day is unchanged, else 00:00 UTC. */
export function instantOf(field: DayField): string | undefined {
  if (field.day === '') return undefined;
  if (field.exact && dayOf(field.exact) === field.day) return field.exact;
  return `${field.day}T00:00:00Z`;
}

export function requestIpOf(condition: TokenCondition | undefined) {
  return condition?.request_ip ?? condition?.['request.ip'];
}

/**
 * A loaded token as the form's state. Each group's resources are collected from every policy naming
 * it (allow → Include, deny → Exclude); groups of one scope with the same resources share a policy
 * block, in the order the token lists them.
 */
export function draftFromToken(token: Token, catalogue: Catalogue, userId: string): TokenDraft {
  const perGroup = new Map<string, { scope: Scope; entries: Map<string, ResourceEntry> }>();
  for (const policy of token.policies) {
    const effect = policy.effect === 'allow' ? 'include' : 'exclude';
    for (const group of policy.permission_groups) {
      const scope = catalogue.byGroupId.get(group.id)?.family.scope ?? 'other';
      const found = perGroup.get(group.id) ?? { scope, entries: new Map() };
      perGroup.set(group.id, found);
      for (const [key, value] of Object.entries(policy.resources)) {
        const unit = { key, value };
        const at = `${effect}|${canonicalUnit(unit)}`;
        if (!found.entries.has(at)) found.entries.set(at, entryOf(unit, scope, effect, userId, newUid()));
      }
    }
  }
  const blocks = new Map<string, PolicyBlock>();
  for (const [groupId, { scope, entries }] of perGroup) {
    const signature = `${scope}|${[...entries.keys()].sort().join(',')}`;
    const block = blocks.get(signature);
    if (block) block.permissions.push(emptyLine(groupId));
    else
      blocks.set(signature, {
        uid: newUid(),
        scope,
        permissions: [emptyLine(groupId)],
        resources: [...entries.values()].sort((a, b) =>
          a.effect === b.effect ? 0 : a.effect === 'include' ? -1 : 1,
        ),
      });
  }
  const requestIp = requestIpOf(token.condition);
  const ipRules: IpRule[] = [
    ...(requestIp?.in ?? []).map((cidr) => ({ uid: newUid(), operator: 'in' as const, cidr })),
    ...(requestIp?.not_in ?? []).map((cidr) => ({ uid: newUid(), operator: 'not_in' as const, cidr })),
  ];
  return {
    name: token.name,
    policies: [...blocks.values()],
    ipRules,
    notBefore: token.not_before ? { day: dayOf(token.not_before), exact: token.not_before } : { day: '' },
    expiresOn: token.expires_on ? { day: dayOf(token.expires_on), exact: token.expires_on } : { day: '' },
    status: token.status,
  };
}
