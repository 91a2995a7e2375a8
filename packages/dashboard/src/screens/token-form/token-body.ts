import type {
  CreateToken,
  PolicyResources,
  Token,
  TokenCondition,
  TokenPolicy,
  TokenPolicyInput,
  UpdateToken,
} from '@userflare/contract';
import { checkCidr } from './cidr';
import { canonicalUnit, type ResourceUnit, unitOf } from './resources';
import { instantOf, type TokenDraft } from './token-draft';

type Effect = TokenPolicy['effect'];
/** A policy as sent: a policy `id` sent back keeps the policy's identity (server: buildPolicies). */
type PolicyBody = TokenPolicyInput & { id?: string };

export interface Grant {
  effect: Effect;
  groupId: string;
  unit: ResourceUnit;
}

const grantKey = (effect: Effect, groupId: string, unit: ResourceUnit) =>
  `${effect}|${groupId}|${canonicalUnit(unit)}`;

/** Every (effect, group, resource) the form asks for: Include resources allow, Exclude ones deny. */
export function grantsOf(draft: TokenDraft, userId: string): Map<string, Grant> {
  const grants = new Map<string, Grant>();
  for (const block of draft.policies) {
    for (const line of block.permissions) {
      if (!line.groupId) continue;
      for (const entry of block.resources) {
        const unit = unitOf(entry, userId);
        if (!unit) continue;
        const effect = entry.effect === 'include' ? 'allow' : 'deny';
        grants.set(grantKey(effect, line.groupId, unit), { effect, groupId: line.groupId, unit });
      }
    }
  }
  return grants;
}

function grantsOfPolicy(policy: TokenPolicy): string[] {
  return policy.permission_groups.flatMap((group) =>
    Object.entries(policy.resources).map(([key, value]) => grantKey(policy.effect, group.id, { key, value })),
  );
}

const resourcesOf = (units: ResourceUnit[]): PolicyResources =>
  Object.fromEntries(units.map((unit) => [unit.key, unit.value]));

const bodyOf = (policy: TokenPolicy): PolicyBody => ({
  id: policy.id,
  effect: policy.effect,
  permission_groups: policy.permission_groups.map(({ id, meta }) => (meta ? { id, meta } : { id })),
  resources: policy.resources,
});

/**
 * The policies to send. A loaded policy whose every grant the form still asks for is sent back as it
 * was (id, grouping, group meta), so a token the form cannot fully express round-trips unchanged.
 * What is left is grouped the way Cloudflare's templates are: one policy per effect and set of
 * resources, its groups in the form's order; a new policy takes the id of a dropped one with the same
 * effect and resources.
 */
export function policiesOf(
  draft: TokenDraft,
  userId: string,
  original: readonly TokenPolicy[] = [],
): PolicyBody[] {
  const grants = grantsOf(draft, userId);
  const covered = new Set<string>();
  const kept = new Set<TokenPolicy>();
  for (const policy of original) {
    const own = grantsOfPolicy(policy);
    if (own.every((grant) => grants.has(grant))) {
      kept.add(policy);
      for (const grant of own) covered.add(grant);
    }
  }
  // Each (effect, group) left over, with its resources; then groups sharing resources share a policy.
  const byGroup = new Map<string, { effect: Effect; groupId: string; units: ResourceUnit[] }>();
  for (const [key, grant] of grants) {
    if (covered.has(key)) continue;
    const at = `${grant.effect}|${grant.groupId}`;
    const entry = byGroup.get(at) ?? { effect: grant.effect, groupId: grant.groupId, units: [] };
    entry.units.push(grant.unit);
    byGroup.set(at, entry);
  }
  const fresh = new Map<string, { effect: Effect; groupIds: string[]; units: ResourceUnit[] }>();
  for (const { effect, groupId, units } of byGroup.values()) {
    const sorted = [...units].sort((a, b) => canonicalUnit(a).localeCompare(canonicalUnit(b)));
    // One resource key twice (a kept nested value beside a form one) cannot share an object: split.
    const keys = new Set(sorted.map((unit) => unit.key));
    const sets = keys.size === sorted.length ? [sorted] : sorted.map((unit) => [unit]);
    for (const set of sets) {
      const at = `${effect}|${set.map(canonicalUnit).join(',')}`;
      const policy = fresh.get(at) ?? { effect, groupIds: [], units: set };
      policy.groupIds.push(groupId);
      fresh.set(at, policy);
    }
  }
  const metaOf = new Map<string, Record<string, string>>();
  for (const policy of original)
    for (const group of policy.permission_groups) if (group.meta) metaOf.set(group.id, group.meta);
  const freshBody = (policy: { effect: Effect; groupIds: string[]; units: ResourceUnit[] }, id?: string) => {
    const body: PolicyBody = {
      effect: policy.effect,
      permission_groups: policy.groupIds.map((groupId) => {
        const meta = metaOf.get(groupId);
        return meta ? { id: groupId, meta } : { id: groupId };
      }),
      resources: resourcesOf(policy.units),
    };
    return id ? { id, ...body } : body;
  };
  const result: PolicyBody[] = [];
  for (const policy of original) {
    if (kept.has(policy)) {
      result.push(bodyOf(policy));
      continue;
    }
    const units = Object.entries(policy.resources).map(([key, value]) => ({ key, value }));
    const at = `${policy.effect}|${units
      .map(canonicalUnit)
      .sort((a, b) => a.localeCompare(b))
      .join(',')}`;
    const replacement = fresh.get(at);
    if (replacement) {
      fresh.delete(at);
      result.push(freshBody(replacement, policy.id));
    }
  }
  for (const policy of fresh.values()) result.push(freshBody(policy));
  return result;
}

/** The IP filter to send; a loaded condition is sent back as it was while its lists are unchanged. */
export function conditionOf(draft: TokenDraft, original?: TokenCondition): TokenCondition | undefined {
  const list = (operator: 'in' | 'not_in') =>
    draft.ipRules
      .filter((rule) => rule.operator === operator)
      .map((rule) => checkCidr(rule.cidr).cidr ?? rule.cidr);
  const inList = list('in');
  const notIn = list('not_in');
  const before = original?.request_ip ?? original?.['request.ip'];
  const same = (a: string[] | undefined, b: string[]) => JSON.stringify(a ?? []) === JSON.stringify(b);
  if (original && same(before?.in, inList) && same(before?.not_in, notIn)) return original;
  if (inList.length === 0 && notIn.length === 0) return original ? {} : undefined;
  return {
    request_ip: { ...(inList.length ? { in: inList } : {}), ...(notIn.length ? { not_in: notIn } : {}) },
  };
}

/** `POST /user/tokens` from the form. */
export function createBodyOf(draft: TokenDraft, userId: string): CreateToken {
  const condition = conditionOf(draft);
  const notBefore = instantOf(draft.notBefore);
  const expiresOn = instantOf(draft.expiresOn);
  return {
    name: draft.name.trim(),
    policies: policiesOf(draft, userId),
    ...(condition ? { condition } : {}),
    ...(notBefore ? { not_before: notBefore } : {}),
    ...(expiresOn ? { expires_on: expiresOn } : {}),
  };
}

/**
 * `PUT /user/tokens/{id}`: a whole replacement (REFERENCE §2.18), so every field is sent, unchanged
 * ones exactly as loaded; an emptied date is sent as null, which clears it.
 */
export function updateBodyOf(draft: TokenDraft, userId: string, token: Token): UpdateToken {
  const status = draft.status === 'active' || draft.status === 'disabled' ? draft.status : undefined;
  return {
    name: draft.name === token.name ? token.name : draft.name.trim(),
    policies: policiesOf(draft, userId, token.policies),
    condition: conditionOf(draft, token.condition) ?? {},
    not_before: instantOf(draft.notBefore) ?? null,
    expires_on: instantOf(draft.expiresOn) ?? null,
    ...(status ? { status } : {}),
  };
}
