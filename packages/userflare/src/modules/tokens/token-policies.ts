import type { PolicyVerdict, TokenCondition, TokenPolicy, TokenPolicyInput } from '@userflare/contract';
import ipaddr from 'ipaddr.js';
import { apiErrors, type FieldProblem, fieldProblem } from '../../http/errors.js';
import { newId } from '../../random.js';
import { findPermissionGroup } from '../permission-groups/permission-groups.service.js';

const USER_KEY = /^com\.cloudflare\.api\.user\.(\*|[0-9a-f]{32})$/;
const ACCOUNT_KEY = /^com\.cloudflare\.api\.account\.(\*|[0-9a-f]{32})$/;
const ZONE_KEY = /^com\.cloudflare\.api\.account\.zone\.(\*|[0-9a-f]{32})$/;
const BUCKET_KEY =
  /^com\.cloudflare\.edge\.r2\.bucket\.(\*|([0-9a-f]{32})_[a-z]+_[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/;

/** What the token's owner can reach: their own user and the accounts they belong to (DESIGN). */
export interface OwnerReach {
  userId: string;
  accountIds: ReadonlySet<string>;
}

function newPolicyId(): string {
  return newId();
}

function checkResourceKey(key: string, reach: OwnerReach): string | undefined {
  const user = USER_KEY.exec(key);
  if (user)
    return user[1] === '*' || user[1] === reach.userId
      ? undefined
      : "names a user other than the token's owner";
  const account = ACCOUNT_KEY.exec(key);
  if (account) {
    return account[1] === '*' || reach.accountIds.has(account[1] ?? '')
      ? undefined
      : "names an account the token's owner is not a member of";
  }
  // Zones are not modelled: any zone id is accepted (README, "What is emulated").
  if (ZONE_KEY.test(key)) return undefined;
  const bucket = BUCKET_KEY.exec(key);
  if (bucket) {
    return bucket[1] === '*' || reach.accountIds.has(bucket[2] ?? '')
      ? undefined
      : "names a bucket of an account the token's owner is not a member of";
  }
  return 'is not a resource: use com.cloudflare.api.user.<id>, com.cloudflare.api.account.<id|*>, com.cloudflare.api.account.zone.<id|*> or com.cloudflare.edge.r2.bucket.<account>_<jurisdiction>_<bucket>';
}

function checkResources(
  resources: TokenPolicyInput['resources'],
  at: (string | number)[],
  reach: OwnerReach,
  problems: FieldProblem[],
): void {
  for (const [key, value] of Object.entries(resources)) {
    const path = [...at, key];
    const keyProblem = checkResourceKey(key, reach);
    if (keyProblem) {
      problems.push(fieldProblem(path, keyProblem));
    } else if (typeof value === 'string') {
      if (value !== '*') problems.push(fieldProblem(path, 'must be "*"'));
    } else if (!ACCOUNT_KEY.test(key)) {
      problems.push(fieldProblem(path, 'only an account resource may nest zone resources'));
    } else {
      for (const [zoneKey, zoneValue] of Object.entries(value)) {
        if (!ZONE_KEY.test(zoneKey)) {
          problems.push(fieldProblem([...path, zoneKey], 'must be com.cloudflare.api.account.zone.<id|*>'));
        } else if (zoneValue !== '*') {
          problems.push(fieldProblem([...path, zoneKey], 'must be "*"'));
        }
      }
    }
  }
}

/**
 * Checks policies from a create or update and returns them as stored: server-generated ids (kept for
 * a policy that names one of the token's own), permission group names filled in from the catalogue
 * (REFERENCE §8.9). Unknown groups and resources beyond the owner are 400s naming the field (§9).
 * The limit is what the owner can reach, not what the calling token holds: as on Cloudflare, API
 * Tokens Write mints tokens with any of the user's rights (REFERENCE §4.9, the "Create Additional
 * Tokens" template).
 */
export function buildPolicies(
  input: (TokenPolicyInput & { id?: unknown })[],
  reach: OwnerReach,
  existing: readonly TokenPolicy[] = [],
): TokenPolicy[] {
  const problems: FieldProblem[] = [];
  const existingIds = new Set(existing.map((policy) => policy.id));
  const policies = input.map((policy, i): TokenPolicy => {
    const groups = policy.permission_groups.map((group, j) => {
      const known = findPermissionGroup(group.id);
      if (!known) {
        problems.push(
          fieldProblem(
            ['policies', i, 'permission_groups', j, 'id'],
            `unknown permission group "${group.id}"`,
          ),
        );
      }
      return { id: group.id, name: known?.name ?? '', ...(group.meta ? { meta: group.meta } : {}) };
    });
    checkResources(policy.resources, ['policies', i, 'resources'], reach, problems);
    // An id sent back keeps its policy's identity, once: a repeat gets a fresh id.
    const keepsId = typeof policy.id === 'string' && existingIds.delete(policy.id);
    const id = keepsId ? (policy.id as string) : newPolicyId();
    return { id, effect: policy.effect, permission_groups: groups, resources: policy.resources };
  });
  if (problems.length > 0) throw apiErrors.validation(problems);
  return policies;
}

/** Checks `condition.request_ip` CIDR lists; returns the condition as stored (REFERENCE §4.5). */
export function buildCondition(input: TokenCondition | undefined): TokenCondition {
  const requestIp = input?.request_ip ?? input?.['request.ip'];
  if (!requestIp) return {};
  const problems: FieldProblem[] = [];
  for (const list of ['in', 'not_in'] as const) {
    requestIp[list]?.forEach((cidr, i) => {
      if (!ipaddr.isValidCIDR(cidr)) {
        problems.push(
          fieldProblem(
            ['condition', 'request_ip', list, i],
            'must be an IPv4 or IPv6 CIDR such as 192.0.2.0/24 or 2001:db8::/32',
          ),
        );
      }
    });
  }
  if (problems.length > 0) throw apiErrors.validation(problems);
  const stored: NonNullable<TokenCondition['request_ip']> = {};
  if (requestIp.in) stored.in = requestIp.in;
  if (requestIp.not_in) stored.not_in = requestIp.not_in;
  return { request_ip: stored };
}

function normalizeAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  return ipaddr.isValid(ip) ? ipaddr.process(ip) : undefined;
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  const [range, bits] = ipaddr.parseCIDR(cidr);
  return address.kind() === range.kind() && address.match(range, bits);
}

/** Whether the client address satisfies `request_ip`: inside some `in` range, inside no `not_in` range. */
export function isAddressAllowed(condition: TokenCondition, ip: string): boolean {
  const requestIp = condition.request_ip;
  if (!requestIp || (!requestIp.in?.length && !requestIp.not_in?.length)) return true;
  const address = normalizeAddress(ip);
  if (!address) return false;
  if (requestIp.in?.length && !requestIp.in.some((cidr) => inRange(address, cidr))) return false;
  return !requestIp.not_in?.some((cidr) => inRange(address, cidr));
}

export interface PermissionTarget {
  scope: 'user' | 'account';
  userId: string;
  accountIds: ReadonlySet<string>;
}

function coversTarget(policy: TokenPolicy, target: PermissionTarget): boolean {
  return Object.entries(policy.resources).some(([key, value]) => {
    if (value !== '*') return false;
    if (target.scope === 'user')
      return key === `com.cloudflare.api.user.${target.userId}` || key === 'com.cloudflare.api.user.*';
    const account = ACCOUNT_KEY.exec(key);
    return account !== null && (account[1] === '*' || target.accountIds.has(account[1] ?? ''));
  });
}

interface Decision {
  userId: string;
  scope: PermissionTarget['scope'];
  accountIds: ReadonlySet<string>;
  permitted: boolean;
}

/**
 * The last decision per policy list and route: parsed policy lists are shared per text and a route's
 * groups are one array, so a token calling one route again decides by two lookups. The account ids
 * are compared by identity: a kept set lives until memberships change (ReadCache).
 */
const lastDecisions = new WeakMap<readonly TokenPolicy[], WeakMap<readonly string[], Decision>>();

/**
 * Cloudflare's evaluation order (REFERENCE §4.4): a matching deny wins, then a matching allow grants,
 * otherwise the request is denied.
 */
export function isPermitted(
  policies: readonly TokenPolicy[],
  groups: readonly string[],
  target: PermissionTarget,
): boolean {
  let byRoute = lastDecisions.get(policies);
  const last = byRoute?.get(groups);
  if (
    last !== undefined &&
    last.userId === target.userId &&
    last.scope === target.scope &&
    last.accountIds === target.accountIds
  ) {
    return last.permitted;
  }
  const permitted = evaluatePolicies(policies, groups, target);
  if (byRoute === undefined) {
    byRoute = new WeakMap();
    lastDecisions.set(policies, byRoute);
  }
  byRoute.set(groups, { ...target, permitted });
  return permitted;
}

function evaluatePolicies(
  policies: readonly TokenPolicy[],
  groups: readonly string[],
  target: PermissionTarget,
): boolean {
  let allowed = false;
  for (const policy of policies) {
    if (!policy.permission_groups.some((group) => groups.includes(group.id))) continue;
    if (!coversTarget(policy, target)) continue;
    if (policy.effect === 'deny') return false;
    allowed = true;
  }
  return allowed;
}

function resourceName(target: PermissionTarget): string {
  return target.scope === 'user'
    ? `com.cloudflare.api.user.${target.userId}`
    : `an account of the user (com.cloudflare.api.account.<id>; member of ${target.accountIds.size})`;
}

/** Each policy's part in a decision, for explained denials (issue 7): off the hot path, only when refused. */
export function explainPolicies(
  policies: readonly TokenPolicy[],
  groups: readonly string[],
  target: PermissionTarget,
): PolicyVerdict[] {
  return policies.map((policy) => {
    const verdict = { id: policy.id, effect: policy.effect };
    const granted = policy.permission_groups.filter((group) => groups.includes(group.id));
    if (granted.length === 0) {
      const names = policy.permission_groups.map((group) => group.name ?? group.id).join(', ');
      return {
        ...verdict,
        matched: false,
        why: `its permission groups (${names}) include none the route needs`,
      };
    }
    const names = granted.map((group) => group.name ?? group.id).join(', ');
    if (!coversTarget(policy, target)) {
      const resources = Object.keys(policy.resources).join(', ');
      return {
        ...verdict,
        matched: false,
        why: `grants ${names}, but its resources (${resources}) do not cover ${resourceName(target)}`,
      };
    }
    return {
      ...verdict,
      matched: true,
      why: `${policy.effect === 'deny' ? 'denies' : 'allows'} ${names} on ${resourceName(target)}`,
    };
  });
}
